import type { Context } from 'hono';

const here = 'http://boucle.invalid';
const parsedHere = (target: string) => {
  try {
    return new URL(target, here);
  } catch {
    return undefined;
  }
};

/**
 * A redirect target as a path of this site, or undefined. It is read the way a browser reads a
 * Location header (WHATWG URL: tabs and newlines dropped, a backslash taken for a slash, `//host`
 * for another host), then written back as the parser writes it, with no control character left.
 * The written path is read again, so a path the parser folds into `//host` (`/.//evil.example`)
 * is refused too.
 */
export function sameOriginPath(target: string | undefined): string | undefined {
  if (!target?.startsWith('/')) return undefined;
  const url = parsedHere(target);
  if (url?.origin !== here) return undefined;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return parsedHere(path)?.origin === here && !path.startsWith('//') ? path : undefined;
}

/** A 303 to a path of this site; any other target sends the browser home instead. */
export const seeOther = (c: Context, target: string) => c.redirect(sameOriginPath(target) ?? '/', 303);
