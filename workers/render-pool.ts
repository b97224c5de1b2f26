import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { Piscina } from 'piscina';
import type { renderTenantLetter } from '../src/connectivity/letter-pdf.ts';
import type { renderCertificatePdf } from '../src/wiping/certificate-pdf.ts';
import type { RenderTask } from './render-thread.ts';

/** The renderers of the documents the workers draw most of: with the same signatures as the renderers themselves. */
export type PdfRenderers = { certificate: typeof renderCertificatePdf; tenantLetter: typeof renderTenantLetter };

/**
 * Certificates and tenant letters drawn on threads of their own (piscina), so that a worker
 * process draws on one core while its main thread goes on with the database and the queues on
 * another: drawing a PDF takes some 6 ms of CPU, the rest of a certificate's job about as much.
 * One thread fewer than the machine has cores (at least one), started at the first drawing and
 * stopped after a minute without any. A drawing that fails fails its job, retried like any other.
 */
export function startRenderPool() {
  const pool = new Piscina<RenderTask, Uint8Array>({
    filename: new URL('./render-thread.ts', import.meta.url).href,
    // The threads load the TypeScript sources as `npm run worker` does, whatever started this process (vitest).
    execArgv: ['--import', 'tsx'],
    minThreads: 0,
    maxThreads: Math.max(1, availableParallelism() - 1),
    idleTimeout: 60_000,
  });
  const drawn = async (task: RenderTask, out: Writable) => {
    const pdf = await pool.run(task);
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength), () => resolve());
    });
  };
  const renderers: PdfRenderers = {
    certificate: (statement, signature, verifyUrl, out) => drawn({ kind: 'certificate', statement, signature, verifyUrl }, out),
    tenantLetter: (letter, out) => drawn({ kind: 'tenant-letter', letter }, out),
  };
  return { renderers, close: () => pool.close() };
}
