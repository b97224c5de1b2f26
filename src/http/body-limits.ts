import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * How large a request body may be, by route: the one rule for the API and the pages alike,
 * checked before anything reads the body (a declared Content-Length at once, a streamed body as
 * it arrives). Sign-in forms are tiny and open to anyone; inventories (a CSV, a 10,000-device
 * JSON list, a landlord's apartment export) are large; every other body is a form or a JSON
 * document of a few kilobytes. 5 MB of CSV is some 35,000 lines; reading it takes about 60 MB of
 * an API process's heap, which `npm run api` caps at 128 MB (some 45 MB of it is the code loaded
 * at start): hence one inventory read at a time.
 */
export const bodyLimits = [
  { name: 'sign-in', bytes: 16 * 1024, paths: /^\/(login|api\/auth\/(login|tokens))$/ },
  {
    name: 'inventory',
    bytes: 5 * 1024 * 1024,
    paths: /^\/(api\/(donations\/[^/]+\/(devices|imports)|buildings\/[^/]+\/apartments\/import)|donations\/[^/]+\/import)$/,
  },
  // A file of places in the national schema: the national consolidated export has some 20,000
  // lines (15 to 25 MB). It is never decoded whole in the API (its header only), stored as it is,
  // and read as a stream by a worker; it still waits for its turn like an inventory.
  { name: 'places file', bytes: 32 * 1024 * 1024, paths: /^\/(api\/places\/imports|admin\/lieux\/import)$/ },
] as const;
/** The bodies read one at a time in a process (see inventoryTurns). */
const readInTurn = new Set<string>(['inventory', 'places file']);
export const defaultBodyLimit = 1024 * 1024;
/** Inventories waiting for their turn beyond this many are told to come back. */
export const inventoriesWaitingAtMost = 8;
export const inventoryRetryAfterSeconds = 10;

type Limit = { name: string; bytes: number };
const defaultLimit: Limit = { name: 'default', bytes: defaultBodyLimit };
export const bodyLimitFor = (path: string): Limit => bodyLimits.find((limit) => limit.paths.test(path)) ?? defaultLimit;

/** "16 KB", "5 MB" (or "16 Ko", "5 Mo"): a limit as people read it. */
export const shownSize = (bytes: number, units: [kilo: string, mega: string] = ['KB', 'MB']) =>
  bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} ${units[1]}` : `${bytes / 1024} ${units[0]}`;

/** One inventory read at a time in this process, the others waiting their turn in order. */
export function inventoryTurns() {
  let running = false;
  const waiting: (() => void)[] = [];
  return {
    /** Runs `work` in its turn; answers undefined, without running it, when too many already wait. */
    async inTurn<T>(work: () => Promise<T>): Promise<T | undefined> {
      if (running) {
        if (waiting.length >= inventoriesWaitingAtMost) return undefined;
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      running = true;
      try {
        return await work();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else running = false;
      }
    },
  };
}
export type InventoryTurns = ReturnType<typeof inventoryTurns>;

/** The body's length as its Content-Length declares it; undefined for a body streamed in chunks, or of no declared length. */
function declaredLength(c: Context) {
  if (c.req.header('transfer-encoding') !== undefined) return undefined;
  const length = c.req.header('content-length');
  return length === undefined ? undefined : Number.parseInt(length, 10) || 0;
}

/**
 * Refuses a body over its route's limit with `tooLarge`, before the route reads it; an inventory
 * waits for its turn (or is answered `busy` when the queue is full).
 */
export function limitBodies(
  turns: InventoryTurns,
  answers: { tooLarge: (c: Context, bytes: number) => Response | Promise<Response>; busy: (c: Context) => Response | Promise<Response> },
): MiddlewareHandler {
  const limiters = new Map<number, MiddlewareHandler>();
  const countedAsItArrives = (limit: Limit) => {
    let limiter = limiters.get(limit.bytes);
    if (!limiter) {
      limiter = bodyLimit({ maxSize: limit.bytes, onError: (context) => answers.tooLarge(context, limit.bytes) });
      limiters.set(limit.bytes, limiter);
    }
    return limiter;
  };
  return async (c, next) => {
    // A body sent with a GET or a HEAD is never read.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const limit = bodyLimitFor(c.req.path);
    // A declared length is checked from the headers, without touching the body: the route then
    // reads it straight from the socket (the server's fast path), not through a web stream.
    const declared = declaredLength(c);
    if (declared !== undefined && declared > limit.bytes) return answers.tooLarge(c, limit.bytes);
    if (declared === 0 || (declared === undefined && !c.req.raw.body)) return next();
    const read: MiddlewareHandler = declared === undefined ? countedAsItArrives(limit) : (_, then) => then();
    if (!readInTurn.has(limit.name)) return read(c, next);
    const answered = await turns.inTurn(async () => {
      const response = await read(c, next);
      // What the limiter answers itself (a 413); otherwise the route's answer is on the context.
      return response ?? c.res;
    });
    if (answered === undefined) {
      c.header('retry-after', String(inventoryRetryAfterSeconds));
      return answers.busy(c);
    }
    return answered;
  };
}
