import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { derivedKey } from '../derived-keys.ts';

/**
 * The server's Ed25519 keys, derived from APP_SECRET (HKDF-SHA256) under one label per kind of
 * document, so every API and worker process of one installation signs with the same key and
 * nothing else is stored.
 */
export type SigningKey = { privateKey: KeyObject; publicKey: KeyObject; publicPem: string };

// The DER prefix of a PKCS#8 Ed25519 private key (RFC 8410), followed by the 32-byte seed.
const pkcs8Ed25519Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
const keys = new Map<string, SigningKey>();

function signingKey(appSecret: string, label: string): SigningKey {
  const cacheKey = `${label}\u0000${appSecret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    const seed = derivedKey(appSecret, label);
    const privateKey = createPrivateKey({ key: Buffer.concat([pkcs8Ed25519Prefix, seed]), format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey(privateKey);
    key = { privateKey, publicKey, publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
    keys.set(cacheKey, key);
  }
  return key;
}

/** The key of wipe certificates. */
export const certificateSigningKey = (appSecret: string) => signingKey(appSecret, 'wipe-certificate-signing-key');

/** The key of public donors' reuse attestations: another label, so neither document can pass for the other. */
export const reuseAttestationSigningKey = (appSecret: string) => signingKey(appSecret, 'reuse-attestation-signing-key');

/** JSON with keys sorted at every level: the same statement always gives the same bytes to sign. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const signStatement = (key: SigningKey, statement: unknown) => sign(null, Buffer.from(canonicalJson(statement)), key.privateKey).toString('base64url');

export const signatureHolds = (key: SigningKey, statement: unknown, signature: string) =>
  verify(null, Buffer.from(canonicalJson(statement)), key.publicKey, Buffer.from(signature, 'base64url'));
