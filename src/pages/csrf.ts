import { createHmac, timingSafeEqual } from 'node:crypto';
import { derivedKey } from '../derived-keys.ts';

/**
 * Cookie-authenticated requests carry a token tied to their session: a form's hidden `_csrf`
 * field, or the `X-CSRF-Token` header of the pages' own fetch calls. Another site can make a
 * browser send the cookie, not read the token (it is an HMAC of the session's id under a key
 * derived from APP_SECRET). Bearer tokens need none: a browser never sends them on its own.
 */
export const csrfField = '_csrf';
export const csrfHeader = 'x-csrf-token';

export function csrfToken(appSecret: string, credentialId: string): string {
  return createHmac('sha256', derivedKey(appSecret, 'csrf-token-key')).update(credentialId).digest('base64url');
}

export function csrfTokenMatches(appSecret: string, credentialId: string, sent: string | undefined): boolean {
  if (!sent) return false;
  const expected = Buffer.from(csrfToken(appSecret, credentialId));
  const given = Buffer.from(sent);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
