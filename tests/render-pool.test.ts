import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { TenantLetter } from '../src/connectivity/letter-pdf.ts';
import { startRenderPool } from '../workers/render-pool.ts';
import { openPdf, textLines } from './helpers/pdf.ts';

// The render threads of the workers, on their own: no database, no Redis.

const pool = startRenderPool();
afterAll(() => pool.close());

const letter: TenantLetter = {
  landlord: 'Habitat du Lot',
  residence: 'Les Tilleuls',
  building: 'B',
  address: '3 rue des Tilleuls, 46000 Cahors',
  unit: '12',
  floor: 1,
  ssid: 'Tilleuls-B12',
  passphrase: 'k7Rm4qXz9Tpw',
  passphraseVersion: 1,
  securityMode: 'wpa2_personal',
  filtering: 'none',
  supportContact: null,
  isp: null,
  issuedOn: '2026-12-07',
};

async function drawn(draw: (out: PassThrough) => Promise<void>) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await draw(out);
  return Buffer.concat(chunks);
}

describe('the render threads', () => {
  it('draw a tenant letter whose PDF reads back with its network, several at once', async () => {
    const pdfs = await Promise.all(
      ['A1', 'A2', 'A3'].map((unit) => drawn((out) => pool.renderers.tenantLetter({ ...letter, unit, ssid: `Tilleuls-${unit}` }, out))),
    );
    for (const [index, pdf] of pdfs.entries()) {
      const page = openPdf(pdf).loadPage(0);
      expect(
        textLines(page)
          .map((line) => line.text)
          .join(' '),
      ).toContain(`Tilleuls-A${index + 1}`);
    }
  });

  it('answer a drawing that fails with its error, and go on drawing', async () => {
    const broken = { ...letter, passphrase: undefined } as unknown as TenantLetter;
    await expect(drawn((out) => pool.renderers.tenantLetter(broken, out))).rejects.toThrow();
    const pdf = await drawn((out) => pool.renderers.tenantLetter(letter, out));
    expect(
      textLines(openPdf(pdf).loadPage(0))
        .map((line) => line.text)
        .join(' '),
    ).toContain('Tilleuls-B12');
  });
});
