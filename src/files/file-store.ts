import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type StoredFile = { key: string; size: number; sha256: string };

/**
 * Where generated files (label sheets, certificates, letters, exports) live. A local folder
 * by default; an object store can take its place behind the same three functions.
 */
export interface FileStore {
  /** Gives a writable to `produce`, and keeps the file only if `produce` resolves. */
  write(key: string, produce: (out: Writable) => Promise<void>): Promise<StoredFile>;
  read(key: string): Readable;
  remove(key: string): Promise<void>;
}

export function localFileStore(root: string): FileStore {
  const base = resolve(root);
  const pathOf = (key: string) => {
    const path = resolve(base, key);
    if (!path.startsWith(`${base}/`)) throw new Error(`file key outside the store: ${key}`);
    return path;
  };
  return {
    async write(key, produce) {
      const path = pathOf(key);
      // Readable by this account only: labels, certificates and receipts name people.
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      // Written beside, then renamed: a reader never sees half a file, a crash leaves no file under the key.
      // Unique per write: two writers of one key (a job and its retry) never share a partial file.
      const partial = `${path}.partial-${randomUUID()}`;
      const hash = createHash('sha256');
      let size = 0;
      const counter = new PassThrough();
      counter.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      const written = pipeline(counter, createWriteStream(partial, { mode: 0o600 }));
      try {
        await produce(counter);
        if (!counter.writableEnded) counter.end();
        await written;
        await rename(partial, path);
      } catch (error) {
        counter.destroy();
        await written.catch(() => undefined);
        await rm(partial, { force: true });
        throw error;
      }
      return { key, size, sha256: hash.digest('hex') };
    },
    read: (key) => createReadStream(pathOf(key)),
    async remove(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
