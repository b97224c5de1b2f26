import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { asc, eq, inArray } from 'drizzle-orm';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backgroundJobs } from '../src/jobs/jobs.schema.ts';
import { files } from '../src/files/files.schema.ts';
import { formatAssetCode, generateAssetCode, parseAssetCode } from '../src/devices/asset-code.ts';
import { assetCodes, devices } from '../src/devices/devices.schema.ts';
import { labelFormats, labelsPerPage, type LabelFormat } from '../src/labels/formats.ts';
import { labelBatches, labelBatchItems } from '../src/labels/labels.schema.ts';
import { deviceUrl, renderLabelBatch } from '../src/labels/render-batch.ts';
import { renderLabelsPdf, renderLabelsZpl, type LabelContent } from '../src/labels/render.ts';
import { outbox } from '../src/outbox/outbox.schema.ts';
import { eventually, testPublicUrl, type Harness } from './helpers/harness.ts';
import {
  cellAt,
  cropMm,
  decodeQr,
  drawingOperations,
  isBlank,
  labelCellMm,
  openPdf,
  pageSizeMm,
  renderPage,
  textLines,
  type DecodedLabelQr,
  type PdfPage,
  type RgbaImage,
} from './helpers/pdf.ts';
import { startWorld, type World } from './helpers/world.ts';

const formats = [...labelFormats().values()];
const thermalFormats = formats.filter((format) => format.output === 'thermal');
const formatById = (id: string) => labelFormats().get(id)!;

// 10 px/mm (254 dpi): the smallest module (5x13 sheet, about 0.58 mm) is still 5 to 6 pixels wide.
const pixelsPerMm = 10;

/**
 * The code that prints widest in Helvetica Bold: W and M in every data position (a valid check
 * character after them). Every page under test starts with it, so a code column too narrow for
 * some codes shows on every run, not only when the random codes happen to be wide.
 */
const widestCode = (() => {
  // Helvetica Bold advance widths (1/1000 em) of the widest symbols; the others are narrower.
  const width = (code: string) => [...code].reduce((sum, character) => sum + ({ W: 944, M: 833 }[character] ?? 722), 0);
  const candidates: string[] = [];
  for (let mask = 0; mask < 128; mask++) {
    const data = Array.from({ length: 7 }, (_, bit) => ((mask >> bit) & 1 ? 'M' : 'W')).join('');
    for (const check of '0123456789ABCDEFGHJKMNPQRSTVWXYZ') if (parseAssetCode(data + check).ok) candidates.push(data + check);
  }
  return candidates.sort((a, b) => width(b) - width(a))[0]!;
})();

function freshLabels(howMany: number): LabelContent[] {
  const codes = new Set<string>([widestCode].slice(0, howMany));
  while (codes.size < howMany) codes.add(generateAssetCode());
  return [...codes].map((code) => ({ code, url: deviceUrl(testPublicUrl, code) }));
}

async function pdfOf(format: LabelFormat, labels: readonly LabelContent[], organisation: string): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await renderLabelsPdf(format, labels, organisation, out);
  return Buffer.concat(chunks);
}

/** The code as the label prints it: B7K2-9QXM, or B7K2 over 9QXM on formats with two code lines. */
const printedLines = (format: LabelFormat, code: string) => (format.codeLines === 2 ? [code.slice(0, 4), code.slice(4)] : [formatAssetCode(code)]);

type Cell = { index: number; image: RgbaImage; qr: DecodedLabelQr | null };

/** Every label cell of a page, left to right then top to bottom, with the QR code it holds (or null). */
function cellsOf(format: LabelFormat, page: PdfPage): Cell[] {
  const rendered = renderPage(page, pixelsPerMm);
  return Array.from({ length: labelsPerPage(format) }, (_, index) => {
    const image = cropMm(rendered, labelCellMm(format, index));
    return { index, image, qr: decodeQr(image) };
  });
}

/** The URLs a printed PDF opens, page after page, in grid order; cells after the last label must be empty. */
function urlsIn(format: LabelFormat, bytes: Uint8Array): { pages: number; urls: string[] } {
  const document = openPdf(bytes);
  const urls: string[] = [];
  const pages = document.countPages();
  for (let number = 0; number < pages; number++) {
    for (const cell of cellsOf(format, document.loadPage(number))) {
      if (cell.qr) urls.push(cell.qr.url);
      else expect(isBlank(cell.image), `page ${number + 1}, cell ${cell.index + 1} has ink but no QR code that reads`).toBe(true);
    }
  }
  return { pages, urls };
}

/** The light margin ISO/IEC 18004 asks for: 4 modules around the symbol, all white, all inside the label. */
function quietZoneProblem(cell: Cell): string | undefined {
  const { symbol, moduleSizePx } = cell.qr!;
  const zone = 4 * moduleSizePx;
  // The measured symbol edges are good to a pixel; antialiased module edges spread half a module more.
  const slack = 1.5;
  const outer = {
    x: symbol.x - zone + slack,
    y: symbol.y - zone + slack,
    width: symbol.width + 2 * zone - 2 * slack,
    height: symbol.height + 2 * zone - 2 * slack,
  };
  if (outer.x < 0 || outer.y < 0 || outer.x + outer.width > cell.image.width || outer.y + outer.height > cell.image.height) {
    return `quiet zone ${JSON.stringify(outer)} leaves the label (${cell.image.width}x${cell.image.height} px)`;
  }
  const inner = moduleSizePx / 2 + slack;
  const strips = [
    { x: outer.x, y: outer.y, width: outer.width, height: symbol.y - inner - outer.y },
    { x: outer.x, y: symbol.y + symbol.height + inner, width: outer.width, height: outer.y + outer.height - (symbol.y + symbol.height + inner) },
    { x: outer.x, y: outer.y, width: symbol.x - inner - outer.x, height: outer.height },
    { x: symbol.x + symbol.width + inner, y: outer.y, width: outer.x + outer.width - (symbol.x + symbol.width + inner), height: outer.height },
  ];
  return strips.every((strip) => isBlank(cell.image, strip)) ? undefined : 'ink in the quiet zone';
}

describe.each(formats)('label PDF on $id', (format) => {
  const perPage = labelsPerPage(format);
  const organisation = 'Rebond 47';
  // A full page and a partial last one (thermal media: three labels, one page each).
  const labels = freshLabels(perPage === 1 ? 3 : perPage + Math.ceil(perPage / 3));
  let bytes: Buffer;
  let document: ReturnType<typeof openPdf>;
  beforeAll(async () => {
    bytes = await pdfOf(format, labels, organisation);
    document = openPdf(bytes);
  });

  it('has one page per sheet of labels, at the size of the format', async () => {
    for (const howMany of [1, perPage, perPage + 1, 2 * perPage + 1]) {
      const other = openPdf(await pdfOf(format, freshLabels(howMany), organisation));
      expect(other.countPages(), `${howMany} labels`).toBe(Math.ceil(howMany / perPage));
    }
    expect(document.countPages()).toBe(Math.ceil(labels.length / perPage));
    for (let number = 0; number < document.countPages(); number++) {
      const size = pageSizeMm(document.loadPage(number));
      expect(size.widthMm).toBeCloseTo(format.page.widthMm, 2);
      expect(size.heightMm).toBeCloseTo(format.page.heightMm, 2);
    }
  });

  it('prints in every cell, in grid order, a QR code that opens its device page, with the level and quiet zone the format asks', () => {
    for (let number = 0; number < document.countPages(); number++) {
      const expected = labels.slice(number * perPage, (number + 1) * perPage);
      const cells = cellsOf(format, document.loadPage(number));
      expect(
        cells.map((cell) => cell.qr?.url ?? null),
        `page ${number + 1}`,
      ).toEqual([...expected.map((label) => label.url), ...Array.from({ length: perPage - expected.length }, () => null)]);
      for (const cell of cells.slice(expected.length)) expect(isBlank(cell.image), `empty cell ${cell.index + 1}`).toBe(true);
      for (const cell of cells.slice(0, expected.length)) {
        const { url } = expected[cell.index]!;
        expect(cell.qr!.errorCorrection, url).toBe(format.qrErrorCorrection);
        expect(cell.qr!.modules, url).toBe(QRCode.create(url, { errorCorrectionLevel: format.qrErrorCorrection }).modules.size);
        expect(quietZoneProblem(cell), `page ${number + 1}, cell ${cell.index + 1}`).toBeUndefined();
      }
    }
  });

  it('draws the QR codes as vectors, never as a scaled bitmap', () => {
    expect(bytes.toString('latin1')).not.toMatch(/\/Subtype\s*\/Image/);
    for (let number = 0; number < document.countPages(); number++) {
      const drawn = drawingOperations(document.loadPage(number));
      expect(drawn.images).toBe(0);
      expect(drawn.filledPaths).toBeGreaterThan(0);
    }
  });

  it('prints the code in large characters and the organisation, each on its own line inside its label', () => {
    for (let number = 0; number < document.countPages(); number++) {
      const expected = labels.slice(number * perPage, (number + 1) * perPage);
      const page = document.loadPage(number);
      expect(page.toStructuredText('preserve-whitespace').asText()).toContain(organisation);
      const cells = expectLabelTexts(
        format,
        textLines(page),
        expected.map((label) => [...printedLines(format, label.code), organisation]),
      );
      // "Large": at least 10 pt (a capital about 2.5 mm high, read at arm's length), well above the organisation line.
      for (const lines of cells) {
        const organisationLine = lines.at(-1)!;
        for (const codeLine of lines.slice(0, -1)) {
          expect(codeLine.size, codeLine.text).toBeGreaterThanOrEqual(10);
          expect(codeLine.size, codeLine.text).toBeGreaterThanOrEqual(1.3 * organisationLine.size);
        }
      }
    }
  });

  it('keeps the longest organisation short name (24 characters) on one line inside the label', async () => {
    const longName = 'Ressourcerie de Marmande';
    expect(longName).toHaveLength(24);
    const few = labels.slice(0, Math.min(perPage, 3));
    const page = openPdf(await pdfOf(format, few, longName)).loadPage(0);
    const lines = textLines(page);
    expectLabelTexts(
      format,
      lines,
      few.map((label) => [...printedLines(format, label.code), longName]),
      (text) => text === longName || (text.endsWith('…') && longName.startsWith(text.slice(0, -1).trimEnd()) && text.length > 4),
    );
  });
});

/**
 * The text lines of each label, top to bottom: exactly the expected lines (the last one, the
 * organisation, may be shortened when `organisationFits` allows it), every glyph inside the
 * label, no line over another.
 */
function expectLabelTexts(
  format: LabelFormat,
  lines: ReturnType<typeof textLines>,
  expected: string[][],
  organisationFits: (text: string, wanted: string) => boolean = (text, wanted) => text === wanted,
) {
  const byCell = new Map<number, ReturnType<typeof textLines>>();
  for (const line of lines) {
    const cell = cellAt(format, line.x, line.baseline);
    byCell.set(cell, [...(byCell.get(cell) ?? []), line]);
  }
  expect(byCell.get(-1), 'text outside every label').toBeUndefined();
  const seen = expected.map((_, index) => (byCell.get(index) ?? []).sort((a, b) => a.baseline - b.baseline));
  const texts = seen.map((cellLines, index) =>
    cellLines.map((line, position) => {
      const text = line.text.trim();
      const wanted = expected[index]![position];
      return position === expected[index]!.length - 1 && wanted !== undefined && organisationFits(text, wanted) ? wanted : text;
    }),
  );
  expect(texts).toEqual(expected);
  seen.forEach((cellLines, index) => {
    const cell = labelCellMm(format, index);
    for (const line of cellLines) {
      const inside =
        line.bbox.x0 >= cell.x - 0.05 &&
        line.bbox.x1 <= cell.x + cell.width + 0.05 &&
        line.bbox.y0 >= cell.y - 0.05 &&
        line.bbox.y1 <= cell.y + cell.height + 0.05;
      expect(inside, `"${line.text}" (${JSON.stringify(line.bbox)}) inside label ${index + 1} (${JSON.stringify(cell)})`).toBe(true);
    }
    // Glyphs of Helvetica stand between 0.72 em above the baseline and 0.21 em below.
    const ink = (line: (typeof cellLines)[number]) => ({
      top: line.baseline - ((0.72 * line.size) / 72) * 25.4,
      bottom: line.baseline + ((0.21 * line.size) / 72) * 25.4,
    });
    for (let position = 1; position < cellLines.length; position++) {
      expect(ink(cellLines[position]!).top, `"${cellLines[position]!.text}" over "${cellLines[position - 1]!.text}"`).toBeGreaterThanOrEqual(
        ink(cellLines[position - 1]!).bottom,
      );
    }
  });
  return seen;
}

describe.each(thermalFormats)('ZPL for $id', (format) => {
  const labels = freshLabels(4);
  const dotsPerMm = format.zpl?.dotsPerMm ?? 8;

  it('gives one label per code, at the size of the media, with the QR code and the code', () => {
    const zpl = renderLabelsZpl(format, labels, 'Rebond 47');
    const blocks = zpl.match(/\^XA[\s\S]*?\^XZ/g) ?? [];
    expect(blocks).toHaveLength(labels.length);
    expect(zpl.replace(/\^XA[\s\S]*?\^XZ/g, '').trim()).toBe('');
    blocks.forEach((block, index) => {
      const label = labels[index]!;
      expect(block.match(/\^XA/g)).toHaveLength(1);
      expect(block).toContain(`^PW${Math.round(format.label.widthMm * dotsPerMm)}`);
      expect(block).toContain(`^LL${Math.round(format.label.heightMm * dotsPerMm)}`);
      const qr = /\^FO(\d+),(\d+)\s*\^BQN,2,(\d+)\s*\^FD([LMQH])A,([^^]*)\^FS/.exec(block);
      expect(qr, block).not.toBeNull();
      const [, x, y, magnification, level, data] = qr!;
      expect(level).toBe(format.qrErrorCorrection);
      expect(data).toBe(label.url);
      // The symbol and its 4-module quiet zone fit on the media.
      const modules = QRCode.create(label.url, { errorCorrectionLevel: format.qrErrorCorrection }).modules.size;
      const zone = 4 * Number(magnification);
      expect(Number(x)).toBeGreaterThanOrEqual(zone);
      expect(Number(y)).toBeGreaterThanOrEqual(zone);
      expect(Number(x) + (modules + 4) * Number(magnification)).toBeLessThanOrEqual(format.label.widthMm * dotsPerMm);
      expect(Number(y) + (modules + 4) * Number(magnification)).toBeLessThanOrEqual(format.label.heightMm * dotsPerMm);
      // The code, in text, right of the quiet zone.
      const code = new RegExp(`\\^FO(\\d+),\\d+\\^A0N,\\d+,\\d+\\^FD${formatAssetCode(label.code)}\\^FS`).exec(block);
      expect(code, block).not.toBeNull();
      expect(Number(code![1])).toBeGreaterThanOrEqual(Number(x) + (modules + 4) * Number(magnification));
      expect(block).toContain('^FDRebond 47^FS');
    });
    if (format.id === 'thermal-50x25') {
      expect(blocks[0]).toContain('^PW400');
      expect(blocks[0]).toContain('^LL200');
    }
  });

  it('neutralises carets and tildes in the organisation name, so it cannot end the label or send a command', () => {
    const hostile = 'Atelier ^XZ^XA~JA~DG ^FS';
    const zpl = renderLabelsZpl(format, labels.slice(0, 2), hostile);
    expect(zpl.match(/\^XA/g)).toHaveLength(2);
    expect(zpl.match(/\^XZ/g)).toHaveLength(2);
    expect(zpl).not.toContain('~');
    const organisationFields = [...zpl.matchAll(/\^FDAtelier([^\n]*)\^FS$/gm)].map((match) => match[1]!);
    expect(organisationFields).toHaveLength(2);
    for (const field of organisationFields) expect(field).not.toMatch(/[\^~]/);
  });
});

describe('label batches through the API, rendered by the workers', () => {
  let harness: Harness;
  let world: World;
  let shop: Awaited<ReturnType<World['workshop']>>;
  beforeAll(async () => {
    ({ harness, world } = await startWorld({ workers: true }));
    shop = await world.workshop();
  });
  afterAll(async () => {
    await harness?.close();
  });

  const order = (token: string, body: unknown) => world.call('POST', '/api/label-batches', { token, body });

  async function ordered(token: string, body: unknown) {
    const response = await order(token, body);
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    return response.body as { id: string; jobId: string; labelCount: number; source: string; job: { id: string; state: string } };
  }

  /** Follows the batch as the screen would, until its job has finished. */
  async function rendered(token: string, id: string) {
    let batch: any;
    await eventually(
      `label batch ${id} rendered`,
      async () => {
        const response = await world.call('GET', `/api/label-batches/${id}`, { token });
        expect(response.status, JSON.stringify(response.body)).toBe(200);
        batch = response.body;
        expect(batch.job.state, batch.job.failureReason ?? '').not.toBe('failed');
        return batch.job.state === 'succeeded';
      },
      30_000,
    );
    return batch;
  }

  async function download(token: string, fileId: string) {
    const response = await harness.app.request(`/api/files/${fileId}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
  }

  async function downloaded(token: string, file: { id: string; contentType: string; sha256: string; size: number }) {
    const got = await download(token, file.id);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe(file.contentType);
    const sha256 = createHash('sha256').update(got.bytes).digest('hex');
    expect(got.headers.get('x-checksum-sha256')).toBe(sha256);
    expect(file.sha256).toBe(sha256);
    expect(got.bytes.length).toBe(file.size);
    return got.bytes;
  }

  async function itemsOf(batchId: string) {
    const rows = await harness.database.db
      .select({ code: labelBatchItems.code })
      .from(labelBatchItems)
      .where(eq(labelBatchItems.batchId, batchId))
      .orderBy(asc(labelBatchItems.position));
    return rows.map((row) => row.code);
  }

  const urlsOf = (codes: string[]) => codes.map((code) => `${testPublicUrl}/d/${code}`);

  it('prints 30 fresh pre-printed codes on two A4 sheets of 21, every QR code opening one of them', async () => {
    const batch = await ordered(shop.operator.token, { format: 'a4-3x7', count: 30 });
    expect(batch).toMatchObject({ labelCount: 30, source: 'unclaimed', job: { total: 30 } });
    // The workers may already have taken it by the time the answer is built.
    expect(['queued', 'running', 'succeeded']).toContain(batch.job.state);
    const done = await rendered(shop.operator.token, batch.id);
    expect(done.job).toMatchObject({ state: 'succeeded', processed: 30, total: 30 });
    expect(done.job.files).toHaveLength(1);
    const [file] = done.job.files;
    expect(file).toMatchObject({ kind: 'label_sheet', contentType: 'application/pdf', downloadUrl: `/api/files/${file.id}` });
    expect(file.filename).toMatch(/\.pdf$/);

    const codes = await itemsOf(batch.id);
    expect(codes).toHaveLength(30);
    const issued = await harness.database.db.select().from(assetCodes).where(inArray(assetCodes.code, codes));
    expect(issued.map((row) => ({ organisationId: row.organisationId, preprinted: row.preprinted }))).toEqual(
      codes.map(() => ({ organisationId: shop.organisation.id, preprinted: true })),
    );

    const pdf = await downloaded(shop.operator.token, file);
    expect(urlsIn(formatById('a4-3x7'), pdf)).toEqual({ pages: 2, urls: urlsOf(codes) });
  });

  it('prints chosen devices on thermal labels, as a PDF of one page per label and as ZPL', async () => {
    const chosen: Awaited<ReturnType<World['device']>>[] = [];
    for (let index = 0; index < 3; index++) chosen.push(await world.device(shop.operator.token, shop.site.id));
    const codes = chosen.map((device) => device.code.replace('-', ''));
    // As typed at the bench: lower case, with or without the dash.
    const typed = [chosen[0]!.code.toLowerCase(), codes[1]!, chosen[2]!.code];
    const batch = await ordered(shop.operator.token, { format: 'thermal-50x25', deviceCodes: typed });
    expect(batch).toMatchObject({ labelCount: 3, source: 'devices' });
    const done = await rendered(shop.operator.token, batch.id);
    expect(done.job).toMatchObject({ processed: 3, total: 3 });
    expect(await itemsOf(batch.id)).toEqual(codes);

    const pdfFile = done.job.files.find((file: any) => file.contentType === 'application/pdf');
    const zplFile = done.job.files.find((file: any) => file.kind === 'label_zpl');
    expect(done.job.files).toHaveLength(2);
    expect(pdfFile).toBeDefined();
    expect(zplFile).toBeDefined();
    expect(zplFile.contentType).toMatch(/^application\/vnd\.zebra\.zpl/);

    const pdf = await downloaded(shop.operator.token, pdfFile);
    const document = openPdf(pdf);
    const size = pageSizeMm(document.loadPage(0));
    expect([size.widthMm, size.heightMm].map((mm) => Math.round(mm * 10) / 10)).toEqual([50, 25]);
    expect(urlsIn(formatById('thermal-50x25'), pdf)).toEqual({ pages: 3, urls: urlsOf(codes) });

    const zpl = (await downloaded(shop.operator.token, zplFile)).toString('utf8');
    const blocks = zpl.match(/\^XA[\s\S]*?\^XZ/g) ?? [];
    expect(blocks.map((block) => /\^BQN,2,\d+\^FD[LMQH]A,([^^]*)\^FS/.exec(block)?.[1])).toEqual(urlsOf(codes));
    for (const [index, block] of blocks.entries()) expect(block).toContain(`^FD${chosen[index]!.code}^FS`);
  });

  it('prints every device of a donation on A4 sheets of 65', async () => {
    const donation = await world.donation(shop.operator.token, shop.site.id);
    for (let index = 0; index < 4; index++) await world.device(shop.operator.token, shop.site.id, { donationId: donation.id });
    const batch = await ordered(shop.operator.token, { format: 'a4-5x13', donationId: donation.id });
    expect(batch).toMatchObject({ labelCount: 4, source: 'donation' });
    const done = await rendered(shop.operator.token, batch.id);
    expect(done.job).toMatchObject({ processed: 4, total: 4 });
    const codes = await itemsOf(batch.id);
    const ofDonation = await harness.database.db.select({ code: devices.assetCode }).from(devices).where(eq(devices.donationId, donation.id));
    expect([...codes].sort()).toEqual(ofDonation.map((row) => row.code).sort());

    const pdf = await downloaded(shop.operator.token, done.job.files[0]);
    expect(urlsIn(formatById('a4-5x13'), pdf)).toEqual({ pages: 1, urls: urlsOf(codes) });
  });

  it('refuses unknown formats, counts out of range, devices of another organisation and roles that do not print, and changes nothing', async () => {
    const other = await world.workshop();
    const theirs = await world.device(other.operator.token, other.site.id);
    const donor = await world.account((await world.organisation('donor')).id, 'donor_viewer');
    const landlord = await world.account((await world.organisation('landlord')).id, 'landlord_manager');
    const { db } = harness.database;
    const snapshot = async () => ({
      batches: await db.$count(labelBatches),
      jobs: await db.$count(backgroundJobs),
      codes: await db.$count(assetCodes),
      outbox: await db.$count(outbox),
    });
    const before = await snapshot();

    const unknown = await order(shop.operator.token, { format: 'a4-9x99', count: 3 });
    expect(unknown.status).toBe(422);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect(unknown.body.errors.map((error: { path: string }) => error.path)).toEqual(['format']);

    for (const howMany of [0, 5001]) {
      const response = await order(shop.operator.token, { format: 'a4-3x7', count: howMany });
      expect(response.status, `count ${howMany}`).toBe(422);
      expect(response.body.errors.map((error: { path: string }) => error.path)).toEqual(['count']);
    }

    const foreign = await order(shop.operator.token, { format: 'a4-3x7', deviceCodes: [theirs.code] });
    expect(foreign.status).toBe(422);
    expect(foreign.body.errors.map((error: { path: string }) => error.path)).toEqual(['deviceCodes.0']);

    for (const outsider of [donor, landlord]) {
      const response = await order(outsider.token, { format: 'a4-3x7', count: 3 });
      expect(response.status, outsider.role).toBe(403);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an order for an organisation that does not exist, without an internal error', async () => {
    const before = await harness.database.db.$count(labelBatches);
    const response = await order(world.admin.token, { format: 'a4-3x7', count: 2, organisationId: '00000000-0000-4000-8000-000000000000' });
    expect([404, 422], JSON.stringify(response.body)).toContain(response.status);
    expect(await harness.database.db.$count(labelBatches)).toBe(before);
  });

  it("hides a batch, its job and its file from another organisation's users", async () => {
    const batch = await ordered(shop.operator.token, { format: 'a4-3x7', count: 2 });
    const done = await rendered(shop.operator.token, batch.id);
    const other = await world.workshop();
    expect((await world.call('GET', `/api/label-batches/${batch.id}`, { token: other.operator.token })).status).toBe(404);
    expect((await world.call('GET', `/api/jobs/${batch.jobId}`, { token: other.operator.token })).status).toBe(404);
    const stolen = await download(other.operator.token, done.job.files[0].id);
    expect(stolen.status).toBe(404);
    expect(stolen.bytes.toString('utf8')).not.toContain('%PDF');
    // The owner still reads it.
    expect((await download(shop.operator.token, done.job.files[0].id)).status).toBe(200);
  });

  it('renders a batch once when its job is delivered twice', async () => {
    const batch = await ordered(shop.operator.token, { format: 'thermal-50x25', deviceCodes: [(await world.device(shop.operator.token, shop.site.id)).code] });
    await rendered(shop.operator.token, batch.id);
    const { db } = harness.database;
    const filesOf = () => db.select().from(files).where(eq(files.jobId, batch.jobId)).orderBy(files.storageKey);
    const jobOf = async () => (await db.select().from(backgroundJobs).where(eq(backgroundJobs.id, batch.jobId)))[0];
    const filesBefore = await filesOf();
    const jobBefore = await jobOf();
    const allFiles = await db.$count(files);
    expect(filesBefore).toHaveLength(2);

    expect(await renderLabelBatch(db, harness.fileStore, testPublicUrl, batch.id)).toBe('already_done');

    expect(await filesOf()).toEqual(filesBefore);
    expect(await jobOf()).toEqual(jobBefore);
    expect(await db.$count(files)).toBe(allFiles);
    expect(await db.$count(labelBatchItems, eq(labelBatchItems.batchId, batch.id))).toBe(1);
  });
});
