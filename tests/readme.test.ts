import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAssetCode } from '../src/devices/asset-code.ts';
import { startHarness, type Harness } from './helpers/harness.ts';

/**
 * Every curl in the README is checked against the API it describes: its route and method exist,
 * and its path, query and body pass the very schemas the route parses with. Placeholders such as
 * <site id> stand for ids; an example that the API would refuse (a missing field, a bad code, a
 * renamed route) fails here before a reader meets it.
 */

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

// A placeholder (<site id>, <id>...) stands for an id; a file (@inventaire.csv) for its content.
const anId = '0b7f6a52-3c1e-4e0f-9a51-6f2d7c9e4a10';
const withIds = (text: string) => text.replace(/<[^<>]+>/g, anId);

/** The words of each shell command in the README's sh blocks, as a shell splits them (quotes, \ at line end, # comments). */
function shellCommands(markdown: string): string[][] {
  const commands: string[][] = [];
  for (const [, text] of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    // A placeholder is one word to the reader, whatever its spaces: <site id> stays whole.
    const block = text!.replace(/<([^<>\n]+)>/g, (_, name: string) => `<${name.replaceAll(' ', '_')}>`);
    let words: string[] = [];
    let word: string | undefined;
    let quote: "'" | '"' | undefined;
    const endWord = () => {
      if (word !== undefined) words.push(word);
      word = undefined;
    };
    for (let index = 0; index < block!.length; index++) {
      const char = block![index]!;
      if (quote) {
        if (char === quote) quote = undefined;
        else word = (word ?? '') + char;
      } else if (char === "'" || char === '"') {
        quote = char;
        word ??= '';
      } else if (char === '\\' && block![index + 1] === '\n') {
        index++;
        endWord();
      } else if (char === '#' && word === undefined) {
        while (index < block!.length && block![index] !== '\n') index++;
        index--;
      } else if (char === '\n') {
        endWord();
        if (words.length > 0) commands.push(words);
        words = [];
      } else if (char === ' ' || char === '\t') {
        endWord();
      } else {
        word = (word ?? '') + char;
      }
    }
    endWord();
    if (words.length > 0) commands.push(words);
  }
  return commands;
}

type Curl = { text: string; method: string; shown: string; path: string; query: URLSearchParams; contentType?: string; body?: string };

function parseCurl(words: string[]): Curl {
  let method: string | undefined;
  let url: string | undefined;
  let contentType: string | undefined;
  let body: string | undefined;
  for (let index = 1; index < words.length; index++) {
    const word = words[index]!;
    if (word === '-X') method = words[++index];
    else if (word === '-H') {
      const [name, ...value] = words[++index]!.split(':');
      if (name!.trim().toLowerCase() === 'content-type') contentType = value.join(':').trim();
    } else if (word === '-d' || word === '--data-binary') body = words[++index];
    else if (word === '-o' || word === '>') index++;
    else if (!word.startsWith('-')) url = word;
  }
  if (!url) throw new Error(`no URL in ${words.join(' ')}`);
  const parsed = new URL(`http://${withIds(url)}`);
  return {
    text: words.join(' '),
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    shown: url.replace(/^[^/]*/, '').replace(/\?.*$/, ''),
    path: parsed.pathname,
    query: parsed.searchParams,
    contentType,
    body,
  };
}

type RouteDefinition = {
  type: string;
  route: {
    method: string;
    path: string;
    request?: {
      params?: z.ZodType;
      query?: z.ZodType;
      body?: { content: Record<string, { schema: z.ZodType }> };
    };
  };
};

let harness: Harness;
let routes: RouteDefinition['route'][];

beforeAll(async () => {
  harness = await startHarness();
  const registry = (harness.app as unknown as { openAPIRegistry: { definitions: RouteDefinition[] } }).openAPIRegistry;
  routes = registry.definitions.filter((definition) => definition.type === 'route').map((definition) => definition.route);
});
afterAll(() => harness.close());

/** The route a path and method reach, with the path's parameters. */
function routeOf(curl: Curl) {
  const { path } = curl;
  for (const route of routes) {
    if (route.method.toUpperCase() !== curl.method) continue;
    const names: string[] = [];
    const pattern = new RegExp(
      `^${route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      })}$`,
    );
    const match = pattern.exec(path);
    if (match) return { route, params: Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(match[index + 1]!)])) };
  }
  return undefined;
}

const fieldErrors = (result: { success: boolean; error?: z.ZodError }) =>
  result.success ? [] : result.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

const curls = shellCommands(readme)
  .filter((words) => words[0] === 'curl')
  .map(parseCurl);

describe('the README', () => {
  it('shows many API calls', () => {
    expect(curls.length).toBeGreaterThan(30);
  });

  it.each(curls.map((curl) => [`${curl.method} ${curl.shown}`, curl] as const))('%s is a call the API accepts as written', (_, curl) => {
    const found = routeOf(curl);
    expect(found, `no ${curl.method} route for ${curl.path}: ${curl.text}`).toBeDefined();
    const { route, params } = found!;
    const request = route.request ?? {};
    if (request.params) expect(fieldErrors(request.params.safeParse(params)), curl.text).toEqual([]);
    // An asset code in an example must be one the API can match: a mistyped one is refused.
    const codes = [params.code, ...[...(curl.body ?? '').matchAll(/"labelCode":"([^"]+)"/g)].map((match) => match[1])];
    for (const code of codes.filter((value) => value !== undefined)) expect(parseAssetCode(code!), curl.text).toMatchObject({ ok: true });
    if (request.query) expect(fieldErrors(request.query.safeParse(Object.fromEntries(curl.query))), curl.text).toEqual([]);
    else expect([...curl.query.keys()], `${curl.text} sends a query the route does not read`).toEqual([]);
    if (curl.body === undefined) {
      expect(request.body?.content['application/json'] === undefined || curl.method === 'POST', `${curl.text} sends no body`).toBe(true);
      return;
    }
    const contentType = curl.contentType ?? 'application/x-www-form-urlencoded';
    const content = request.body?.content[contentType];
    expect(content, `${route.method} ${route.path} does not take ${contentType}: ${curl.text}`).toBeDefined();
    if (contentType === 'application/json') {
      expect(fieldErrors(content!.schema.safeParse(JSON.parse(withIds(curl.body)))), curl.text).toEqual([]);
    }
  });
});
