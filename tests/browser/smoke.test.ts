import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, keepScreenshot, pageProblems, signIn, startBrowserHarness, type BrowserHarness } from './browser.ts';

let browser: BrowserHarness;
beforeAll(async () => {
  browser = await startBrowserHarness();
});
afterAll(() => browser?.close());

describe('signing in, in Chromium', { timeout: 60_000 }, () => {
  it('shows the sign-in form, then the operator’s own name in the header of the page they land on, with no serious accessibility problem on either', async () => {
    const { operator } = await browser.world.workshop();
    // axe is injected as a script: only a context that ignores the pages' CSP lets it in.
    const page = await browser.newPage({ bypassCSP: true });
    const problems = pageProblems(page);

    const login = await page.goto('/login');
    expect(login?.status()).toBe(200);
    await expect(page.title()).resolves.toBe('Connexion — Boucle');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Se connecter à Boucle');
    expect((await axeViolations(page)).map((violation) => violation.summary)).toEqual([]);

    await signIn(page, operator);
    const viewer = page.locator('[data-testid=viewer]');
    await viewer.waitFor();
    expect(await viewer.textContent()).toContain('workshop_operator de test');
    expect((await axeViolations(page)).map((violation) => violation.summary)).toEqual([]);
    await keepScreenshot(page, 'smoke-after-sign-in');
    expect(problems).toEqual([]);
  });

  it('keeps a refused sign-in on the form, saying why', async () => {
    const { operator } = await browser.world.workshop();
    const page = await browser.newPage();
    await expect(signIn(page, { email: operator.email, password: 'not-the-password' })).rejects.toThrow(/incorrect/);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.locator('[data-testid=viewer]').count()).toBe(0);
  });
});
