import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { serve } from '@hono/node-server';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { createWorld, type Account, type World } from '../helpers/world.ts';

/*
 * Real Chromium against the real app: the test file's harness (own database, own queue prefix,
 * running workers) served over HTTP on a free local port, and Debian's chromium driven by
 * playwright-core. No browser is downloaded: the one installed by the system (.ci/run installs
 * it when missing) is the one a workshop's kiosk would run.
 */

export const chromiumPath = process.env.BOUCLE_CHROMIUM ?? '/usr/bin/chromium';

// Headless and quiet: no sandbox (CI runs as root), no GPU, nothing fetched from Google in the background.
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium's fake camera, playing `videoPath` (a Y4M file, see fake-camera.ts) in a loop, with permission prompts accepted. */
export const fakeCameraArgs = (videoPath: string) => [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  `--use-file-for-fake-video-capture=${videoPath}`,
];

/** A browser test's world: the app on a real port, Chromium, the usual cast (see world.ts). */
export type BrowserHarness = {
  /** Where the app listens, e.g. http://127.0.0.1:41234; contexts made here resolve relative URLs against it. */
  baseUrl: string;
  harness: Harness;
  world: World;
  browser: Browser;
  /** A fresh context (its own cookies and storage) of `browser`, or of another one launched here. */
  newContext: (options?: BrowserContextOptions, on?: Browser) => Promise<BrowserContext>;
  /** A page in a fresh context of its own. */
  newPage: (options?: BrowserContextOptions, on?: Browser) => Promise<Page>;
  /** Another Chromium with these extra arguments (a fake camera, say), closed with the harness. */
  launch: (extraArgs?: string[]) => Promise<Browser>;
  close: () => Promise<void>;
};

/** Launches Debian's Chromium, headless with a fresh profile; fails plainly when it is not installed. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is not installed at ${chromiumPath}: the browser tests need Debian's chromium ` +
        '(apt-get install chromium, as .ci/run does), or BOUCLE_CHROMIUM pointing at a Chromium binary.',
    );
  }
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: [...chromiumArgs, ...extraArgs], timeout: 30_000 });
}

async function listen(fetch: Harness['app']['fetch']): Promise<{ server: Server; baseUrl: string }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
      resolve({ server, baseUrl: `http://127.0.0.1:${info.port}` }),
    ) as Server;
    server.once('error', reject);
  });
}

async function stopServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Chromium is gone by now, but its keep-alive sockets would hold close() until they time out.
    server.closeAllConnections();
  });
}

/**
 * Starts the app on a free port with its workers, and Chromium (with `chromiumArgs` added to the
 * usual ones). Call close() in afterAll: browsers, server, then the harness's database and keys.
 */
export async function startBrowserHarness(
  options: { chromiumArgs?: string[]; app?: NonNullable<Parameters<typeof startHarness>[0]>['app'] } = {},
): Promise<BrowserHarness> {
  const browsers: Browser[] = [];
  const launch = async (extraArgs: string[] = []) => {
    const launched = await launchChromium(extraArgs);
    browsers.push(launched);
    return launched;
  };
  // Chromium first: a machine without it fails here, before a database is cloned.
  const browser = await launch(options.chromiumArgs);
  let harness: Harness | undefined;
  let server: Server | undefined;
  const close = async () => {
    await Promise.allSettled(browsers.map((each) => each.close()));
    if (server) await stopServer(server);
    if (harness) await harness.close();
  };
  try {
    harness = await startHarness({ app: options.app });
    harness.startWorkers();
    const world = await createWorld(harness);
    const listening = await listen(harness.app.fetch);
    server = listening.server;
    const { baseUrl } = listening;
    const newContext = (contextOptions: BrowserContextOptions = {}, on: Browser = browser) =>
      on.newContext({ baseURL: baseUrl, locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 900 }, ...contextOptions });
    return {
      baseUrl,
      harness,
      world,
      browser,
      newContext,
      newPage: async (contextOptions, on) => (await newContext(contextOptions, on)).newPage(),
      launch,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Signs in through /login as a person would, and waits for the page it lands on. A refused
 * sign-in fails with what the form said rather than with a timeout.
 */
export async function signIn(page: Page, account: Pick<Account, 'email' | 'password'>, next?: string): Promise<void> {
  await page.goto(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  await page.getByLabel('Adresse e-mail').fill(account.email);
  await page.getByLabel('Mot de passe').fill(account.password);
  // The form posts, the server answers with a redirect (or the form again): wait for the document that commits.
  const committed = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: 15_000 });
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await committed;
  await page.waitForLoadState('load');
  if (new URL(page.url()).pathname === '/login') {
    const said = await page
      .locator('.error-summary')
      .innerText({ timeout: 1_000 })
      .catch(() => null);
    throw new Error(`${account.email} could not sign in${said ? `: ${said.replace(/\s+/g, ' ').trim()}` : ''}`);
  }
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export type AxeViolation = {
  id: string;
  impact: 'serious' | 'critical';
  help: string;
  helpUrl: string;
  /** CSS selectors of the offending elements. */
  targets: string[];
  /** One line to read in a failed test: impact, rule, what is wrong, where. */
  summary: string;
};

type AxeNode = { target: unknown[]; failureSummary?: string };
type AxeResult = { id: string; impact?: string | null; help: string; helpUrl: string; nodes: AxeNode[] };
// What the page's window holds once axe.min.js ran (the tests compile without the DOM types).
type AxeWindow = { axe?: { run: (context: unknown, options: object) => Promise<{ violations: AxeResult[] }> }; document: unknown };

const isSerious = (impact: string | null | undefined): impact is AxeViolation['impact'] => impact === 'serious' || impact === 'critical';

/**
 * The serious and critical accessibility violations axe-core finds on the page as it is now
 * (WCAG 2.x A and AA rules and axe's best practices). The pages forbid inline scripts
 * (script-src 'self'), so axe can only be injected in a context created with `bypassCSP: true`.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const hasAxe = () => page.evaluate(() => (globalThis as unknown as AxeWindow).axe !== undefined);
  if (!(await hasAxe())) {
    await page.addScriptTag({ path: axePath }).catch((error: unknown) => {
      throw new Error("axe-core could not be injected: create the page's context with { bypassCSP: true } for accessibility checks.", { cause: error });
    });
    if (!(await hasAxe())) {
      throw new Error(
        "axe-core was blocked by the page's Content-Security-Policy: create the page's context with { bypassCSP: true } for accessibility checks.",
      );
    }
  }
  const results: AxeResult[] = await page.evaluate(async () => {
    const { axe, document } = globalThis as unknown as AxeWindow;
    const { violations } = await axe!.run(document, { resultTypes: ['violations'] });
    // Only what crosses back to Node: axe's results hold DOM nodes.
    return violations.map(({ id, impact, help, helpUrl, nodes }) => ({
      id,
      impact,
      help,
      helpUrl,
      nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })),
    }));
  });
  const where = new URL(page.url()).pathname;
  return results.flatMap(({ id, impact, help, helpUrl, nodes }) => {
    if (!isSerious(impact)) return [];
    const targets = nodes.map((node) => node.target.map(String).join(' '));
    const why = nodes[0]?.failureSummary?.replace(/\s+/g, ' ').trim();
    const shown = targets.slice(0, 5).join(', ') + (targets.length > 5 ? ` and ${targets.length - 5} more` : '');
    return [{ id, impact, help, helpUrl, targets, summary: `${impact} ${id} on ${where}: ${help} — ${shown}${why ? ` (${why})` : ''}` }];
  });
}

export const artifactsFolder = fileURLToPath(new URL('./artifacts/', import.meta.url));

/** Keeps a full-page PNG of the page under tests/browser/artifacts/ (kept by CI as a test artefact); answers its path. */
export async function keepScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(artifactsFolder, { recursive: true });
  const path = `${artifactsFolder}${name.replace(/[^\w.-]+/g, '-')}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Requests the page makes to any other origin than `origin` (a web font, a CDN script): the pages
 * promise local assets only. data: and blob: URLs stay in the page.
 */
export function requestsElsewhere(page: Page, origin: string): string[] {
  const elsewhere: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== origin) elsewhere.push(`request to another host: ${request.url()}`);
  });
  return elsewhere;
}

/** Errors the page's own scripts raise or log (a CSP refusal, an exception), to assert there are none. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`exception: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  return problems;
}
