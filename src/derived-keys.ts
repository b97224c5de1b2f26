import { hkdfSync } from 'node:crypto';

const keys = new Map<string, Buffer>();

/**
 * A 32-byte key for one purpose, derived from the installation's APP_SECRET (HKDF-SHA256): every
 * process of one installation gets the same key, each purpose a different one, and nothing else
 * is stored. Computed once per purpose.
 */
export function derivedKey(appSecret: string, purpose: string): Buffer {
  const cacheKey = `${purpose}\u0000${appSecret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', appSecret, 'boucle', purpose, 32));
    keys.set(cacheKey, key);
  }
  return key;
}
