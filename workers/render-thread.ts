import { PassThrough } from 'node:stream';
import { renderTenantLetter, type TenantLetter } from '../src/connectivity/letter-pdf.ts';
import { renderCertificatePdf } from '../src/wiping/certificate-pdf.ts';
import type { CertificateStatement } from '../src/wiping/certificate-statement.ts';

/** What a render thread is asked to draw (render-pool.ts). */
export type RenderTask =
  | { kind: 'certificate'; statement: CertificateStatement; signature: string; verifyUrl: string }
  | { kind: 'tenant-letter'; letter: TenantLetter };

/** Runs on a render thread: draws the document and answers its bytes. */
export default async function render(task: RenderTask): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  if (task.kind === 'certificate') await renderCertificatePdf(task.statement, task.signature, task.verifyUrl, out);
  else await renderTenantLetter(task.letter, out);
  return Buffer.concat(chunks);
}
