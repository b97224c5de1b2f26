import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { derivedKey } from '../derived-keys.ts';
import type { FileStore } from './file-store.ts';

/** A store whose files are sealed at rest: only it can open what it wrote. */
export type SealedFileStore = FileStore & { readonly sealed: true };

const magic = Buffer.from('BSF1');

/**
 * Files that hold secrets in clear once opened (tenant letters and access point configurations
 * carry Wi-Fi passphrases): sealed with AES-256-GCM under a key derived from the installation's
 * secret, the storage key as additional data (a file copied under another key does not open).
 * Kept as `BSF1 <iv> <tag> <ciphertext>`. Such files are small (a letter, a configuration):
 * sealed and opened whole, so nothing unauthenticated is ever streamed out. The size and checksum
 * recorded are the opened file's, as it is served.
 */
export function sealedFileStore(store: FileStore, appSecret: string): SealedFileStore {
  const cipherKey = derivedKey(appSecret, 'sealed-file-encryption-key');
  return {
    sealed: true,
    async write(key, produce) {
      const chunks: Buffer[] = [];
      const collector = new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(Buffer.from(chunk));
          done();
        },
      });
      await produce(collector);
      if (!collector.writableEnded) collector.end();
      const plaintext = Buffer.concat(chunks);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', cipherKey, iv).setAAD(Buffer.from(key));
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const sealed = Buffer.concat([magic, iv, cipher.getAuthTag(), ciphertext]);
      await store.write(key, async (out) => {
        out.end(sealed);
      });
      return { key, size: plaintext.length, sha256: createHash('sha256').update(plaintext).digest('hex') };
    },
    read(key) {
      const open = async () => {
        const sealed = await buffer(store.read(key));
        if (!sealed.subarray(0, magic.length).equals(magic)) throw new Error(`not a sealed file: ${key}`);
        const decipher = createDecipheriv('aes-256-gcm', cipherKey, sealed.subarray(4, 16)).setAAD(Buffer.from(key));
        decipher.setAuthTag(sealed.subarray(16, 32));
        return Buffer.concat([decipher.update(sealed.subarray(32)), decipher.final()]);
      };
      return Readable.from(
        (async function* () {
          yield await open();
        })(),
      );
    },
    remove: (key) => store.remove(key),
  };
}
