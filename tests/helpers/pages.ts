import { expect } from 'vitest';
import type { App } from '../../src/http/app.ts';
import type { Account } from './world.ts';

/** Someone signed in through the pages: their account and the session cookie a browser would send. */
export type Person = Account & { cookie: string };
export type SubmitOptions = { from?: string; csrf?: string | null };

export type Page = { status: number; html: string; location: string | null };

/** Signs in through the login form, as a browser does, and keeps the session cookie. */
export async function signInWithForm(app: App, account: Account): Promise<Person> {
  const response = await app.request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: account.email, password: account.password }).toString(),
  });
  expect(response.status).toBe(303);
  const secret = response.headers.get('set-cookie')?.match(/boucle_session=([^;]+)/)?.[1];
  expect(secret).toBeTruthy();
  return { ...account, cookie: `boucle_session=${secret}` };
}

export async function openPage(app: App, path: string, person?: Person): Promise<Page> {
  const response = await app.request(path, { headers: person ? { cookie: person.cookie } : {} });
  return { status: response.status, html: await response.text(), location: response.headers.get('location') };
}

export const csrfOf = (html: string) => html.match(/<meta name="csrf-token" content="([^"]+)"/)?.[1] ?? '';

/** Posts a form as the browser would; the CSRF token comes from the page `from` unless `csrf` says otherwise. */
export async function submitForm(app: App, person: Person, path: string, fields: Record<string, string>, options: SubmitOptions = {}): Promise<Page> {
  const token = options.csrf === undefined ? csrfOf((await openPage(app, options.from ?? '/', person)).html) : options.csrf;
  const body = new URLSearchParams(token === null ? fields : { ...fields, _csrf: token });
  const response = await app.request(path, {
    method: 'POST',
    headers: { cookie: person.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
  return { status: response.status, html: await response.text(), location: response.headers.get('location') };
}
