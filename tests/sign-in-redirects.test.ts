import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sameOriginPath } from '../src/pages/redirect.ts';
import { startHarness, testPublicUrl, type Harness } from './helpers/harness.ts';
import { createWorld, type Account } from './helpers/world.ts';

// Where the sign-in page sends a browser afterwards: a path of this site, as a browser would read it.

let harness: Harness;
let operator: Account;

beforeAll(async () => {
  harness = await startHarness();
  const world = await createWorld(harness);
  operator = (await world.workshop()).operator;
});
afterAll(async () => harness?.close());

const signIn = (next: string) =>
  harness.app.request(`/login?next=${encodeURIComponent(next)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: operator.email, password: operator.password }).toString(),
  });

/** Where a browser goes with this Location, from a page of this site (WHATWG URL, as browsers parse it). */
const followed = (location: string) => new URL(location, `${testPublicUrl}/login`);

// Each of these leaves the site once a browser has parsed it (tabs and newlines dropped, a
// backslash taken for a slash), or folds into //host when written back.
const elsewhere = [
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r/evil.example',
  '\t//evil.example',
  '//evil.example',
  '///evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '/\\/evil.example',
  'https://evil.example/',
  'https:evil.example',
  'javascript:alert(1)',
  '/.//evil.example',
  '/a/..//evil.example',
  '/./\t/evil.example',
  ' /\t/evil.example',
  '',
];

describe('the page after signing in', () => {
  it.each(elsewhere.map((next) => [JSON.stringify(next), next]))('never leaves the site for next=%s, and still signs in', async (_shown, next) => {
    const response = await signIn(next);
    expect(response.status).toBe(303);
    const location = response.headers.get('location')!;
    expect(location).toBe('/');
    expect(followed(location).origin).toBe(testPublicUrl);
    const cookie = response.headers.get('set-cookie')!.match(/boucle_session=[^;]+/)![0];
    expect((await harness.app.request('/api/me', { headers: { cookie } })).status).toBe(200);
  });

  it.each(['/donations', '/d/B7K2-9QXM', '/stock?kind=laptop&grade=A', '/buildings/5f0c7a3e-2b1d-4c8e-9a6f-0d4b3e2a1c9f#incidents'])(
    'returns to %s as asked',
    async (next) => {
      const response = await signIn(next);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(next);
    },
  );

  it('writes back what a browser would read, with no control character in the Location', async () => {
    const response = await signIn('/stock?q=a\u0000b c');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/stock?q=a%00b%20c');
  });

  it('keeps the sign-in form’s own action on this site for a hostile next', async () => {
    const page = await harness.app.request(`/login?next=${encodeURIComponent('/\t/evil.example')}`);
    const html = await page.text();
    expect(html).toContain('action="/login?next=%2F"');
  });
});

describe('sameOriginPath', () => {
  it('answers undefined for every target that leaves the site, whatever follows it', () => {
    for (const next of elsewhere.filter(Boolean)) {
      for (const tail of ['', '/x', '?a=1', '#h']) expect(sameOriginPath(`${next}${tail}`), JSON.stringify(next + tail)).toBeUndefined();
    }
  });
});
