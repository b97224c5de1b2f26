import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { derivedKey } from '../derived-keys.ts';

/**
 * Wi-Fi passphrases at rest: AES-256-GCM with a key derived from the installation's secret
 * (HKDF-SHA256, its own label, so it is never the key that signs certificates). The additional
 * data binds a ciphertext to its apartment and version: one copied onto another row does not open.
 * Stored as `v1.<iv>.<tag>.<ciphertext>` in base64url.
 */
export type SecretBox = { seal: (plaintext: string, context: string) => string; open: (sealed: string, context: string) => string };

export function passphraseBox(appSecret: string): SecretBox {
  const cipherKey = derivedKey(appSecret, 'wifi-passphrase-encryption-key');
  return {
    seal(plaintext, context) {
      // A 96-bit random IV: far below the 2^32 encryptions per key where collisions start to matter.
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', cipherKey, iv).setAAD(Buffer.from(context));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
    },
    open(sealed, context) {
      const [version, iv, tag, ciphertext] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed passphrase');
      const decipher = createDecipheriv('aes-256-gcm', cipherKey, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

/** What a passphrase ciphertext is bound to. */
export const passphraseContext = (apartmentId: string, version: number) => `wifi-passphrase:${apartmentId}:${version}`;
