import jsQRModule, { type QRCode as DecodedQr } from 'jsqr';
import * as mupdf from 'mupdf';
import type { LabelFormat } from '../../src/labels/formats.ts';

/*
 * Reads label PDFs the way a printer and a phone would: mupdf renders a page to pixels, each
 * label cell (from the format's grid, in millimetres) is cut out and handed to a QR reader.
 * jsQR finds one symbol per image, hence one image per cell.
 */

// jsqr is CommonJS typed as an ES module: its function is the module's `default` property either way.
const jsQR = jsQRModule.default;

export const pointsPerMm = 72 / 25.4;

export type RgbaImage = { width: number; height: number; data: Uint8ClampedArray };
export type Rect = { x: number; y: number; width: number; height: number };
type Point = { x: number; y: number };

export type PdfPage = mupdf.Page;

export function openPdf(bytes: Uint8Array): mupdf.Document {
  return mupdf.Document.openDocument(bytes, 'application/pdf');
}

/** Every page's text, in order, as a reader copying it would get it. */
export function pdfText(bytes: Uint8Array): string {
  const document = openPdf(bytes);
  const pages: string[] = [];
  for (let index = 0; index < document.countPages(); index++) pages.push(document.loadPage(index).toStructuredText('preserve-whitespace').asText());
  return pages.join('\n');
}

/** The page size in millimetres, from its bounds in points. */
export function pageSizeMm(page: mupdf.Page): { widthMm: number; heightMm: number } {
  const [x0, y0, x1, y1] = page.getBounds();
  return { widthMm: (x1 - x0) / pointsPerMm, heightMm: (y1 - y0) / pointsPerMm };
}

/** A rendered page, kept as mupdf gives it (RGB, 3 bytes a pixel); cells are cut out of it as RGBA. */
export type RenderedPage = { width: number; height: number; rgb: Uint8ClampedArray; pixelsPerMm: number };

export function renderPage(page: mupdf.Page, pixelsPerMm: number): RenderedPage {
  const scale = pixelsPerMm / pointsPerMm;
  const pixmap = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceRGB, false);
  try {
    if (pixmap.getX() !== 0 || pixmap.getY() !== 0 || pixmap.getStride() !== pixmap.getWidth() * 3) {
      throw new Error('unexpected pixmap layout');
    }
    return { width: pixmap.getWidth(), height: pixmap.getHeight(), rgb: pixmap.getPixels().slice(), pixelsPerMm };
  } finally {
    pixmap.destroy();
  }
}

/** Writes a page as PNG (to look at it while debugging a test). */
export function pageAsPng(page: mupdf.Page, pixelsPerMm: number): Uint8Array {
  const scale = pixelsPerMm / pointsPerMm;
  const pixmap = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceRGB, false);
  try {
    return pixmap.asPNG().slice();
  } finally {
    pixmap.destroy();
  }
}

/** The rectangle of label `index` on its page, in millimetres, from the format's grid (left to right, then top to bottom). */
export function labelCellMm(format: LabelFormat, index: number): Rect {
  const column = index % format.grid.columns;
  const row = Math.floor(index / format.grid.columns);
  return {
    x: format.grid.marginLeftMm + column * format.grid.pitchXMm,
    y: format.grid.marginTopMm + row * format.grid.pitchYMm,
    width: format.label.widthMm,
    height: format.label.heightMm,
  };
}

/** Cuts a rectangle (in millimetres) out of a rendered page, as RGBA for jsQR; whole pixels inside the rectangle. */
export function cropMm(page: RenderedPage, rect: Rect): RgbaImage {
  const left = Math.ceil(rect.x * page.pixelsPerMm);
  const top = Math.ceil(rect.y * page.pixelsPerMm);
  const right = Math.min(page.width, Math.floor((rect.x + rect.width) * page.pixelsPerMm));
  const bottom = Math.min(page.height, Math.floor((rect.y + rect.height) * page.pixelsPerMm));
  const width = Math.max(0, right - left);
  const height = Math.max(0, bottom - top);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    let source = ((top + y) * page.width + left) * 3;
    let target = y * width * 4;
    for (let x = 0; x < width; x++) {
      data[target] = page.rgb[source]!;
      data[target + 1] = page.rgb[source + 1]!;
      data[target + 2] = page.rgb[source + 2]!;
      data[target + 3] = 255;
      source += 3;
      target += 4;
    }
  }
  return { width, height, data };
}

const luminance = (image: RgbaImage, x: number, y: number) => {
  const offset = (Math.floor(y) * image.width + Math.floor(x)) * 4;
  return 0.299 * image.data[offset]! + 0.587 * image.data[offset + 1]! + 0.114 * image.data[offset + 2]!;
};

/** True when no pixel of the image (or of the given pixel rectangle of it) is darker than paper. */
export function isBlank(image: RgbaImage, area: Rect = { x: 0, y: 0, width: image.width, height: image.height }): boolean {
  const x0 = Math.max(0, Math.floor(area.x));
  const y0 = Math.max(0, Math.floor(area.y));
  const x1 = Math.min(image.width, Math.ceil(area.x + area.width));
  const y1 = Math.min(image.height, Math.ceil(area.y + area.height));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) if (luminance(image, x, y) < 200) return false;
  }
  return true;
}

export type DecodedLabelQr = {
  url: string;
  /** Modules per side, from the symbol version jsQR read. */
  modules: number;
  /** The error-correction level read from the symbol's format information (ISO/IEC 18004 §7.9). */
  errorCorrection: 'L' | 'M' | 'Q' | 'H';
  /** The symbol (without quiet zone) in the cell image's pixels. */
  symbol: Rect;
  moduleSizePx: number;
};

/** Decodes the one QR code of a cell image, or null when there is none that reads. */
export function decodeQr(image: RgbaImage): DecodedLabelQr | null {
  const found = jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
  if (!found) return null;
  const modules = 17 + 4 * found.version;
  const symbol = symbolBounds(image, found, modules);
  return {
    url: found.data,
    modules,
    errorCorrection: errorCorrectionOf(image, symbol, modules),
    symbol,
    moduleSizePx: symbol.width / modules,
  };
}

/**
 * The symbol's exact edges: jsQR's corners can be a few pixels off, so the dark pixels around
 * them are measured instead (the finder patterns reach three corners of the symbol).
 */
function symbolBounds(image: RgbaImage, found: DecodedQr, modules: number): Rect {
  const corners = [found.location.topLeftCorner, found.location.topRightCorner, found.location.bottomLeftCorner, found.location.bottomRightCorner];
  const xs = corners.map((corner) => corner.x);
  const ys = corners.map((corner) => corner.y);
  const margin = (2 * (Math.max(...xs) - Math.min(...xs))) / modules;
  const x0 = Math.max(0, Math.floor(Math.min(...xs) - margin));
  const y0 = Math.max(0, Math.floor(Math.min(...ys) - margin));
  const x1 = Math.min(image.width, Math.ceil(Math.max(...xs) + margin));
  const y1 = Math.min(image.height, Math.ceil(Math.max(...ys) + margin));
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      if (luminance(image, x, y) >= 128) continue;
      left = Math.min(left, x);
      right = Math.max(right, x + 1);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y + 1);
    }
  }
  return { x: left, y: top, width: right - left, height: bottom - top };
}

// Format information: 2 bits of error-correction level and 3 of mask, BCH-protected, XOR-masked.
const formatMask = 0b101010000010010;
const levelFromBits = { 1: 'L', 0: 'M', 3: 'Q', 2: 'H' } as const;

/**
 * Reads the error-correction level from the pixels, both copies of the format information
 * (beside the top-left finder, and split between the other two), which must agree.
 */
function errorCorrectionOf(image: RgbaImage, symbol: Rect, size: number): 'L' | 'M' | 'Q' | 'H' {
  const dark = (row: number, column: number) =>
    luminance(image, symbol.x + ((column + 0.5) / size) * symbol.width, symbol.y + ((row + 0.5) / size) * symbol.height) < 128;
  let vertical = 0;
  let horizontal = 0;
  for (let bit = 0; bit < 15; bit++) {
    const verticalRow = bit < 6 ? bit : bit < 8 ? bit + 1 : size - 15 + bit;
    const horizontalColumn = bit < 8 ? size - bit - 1 : bit < 9 ? 15 - bit : 14 - bit;
    if (dark(verticalRow, 8)) vertical |= 1 << bit;
    if (dark(8, horizontalColumn)) horizontal |= 1 << bit;
  }
  if (vertical !== horizontal) throw new Error(`the two copies of the format information differ (${vertical} / ${horizontal})`);
  return levelFromBits[(((vertical ^ formatMask) >> 13) & 0b11) as 0 | 1 | 2 | 3];
}

/** What draws the page: raster images (a QR must never be one) and filled vector paths. */
export function drawingOperations(page: mupdf.Page): { images: number; filledPaths: number } {
  const counts = { images: 0, filledPaths: 0 };
  const device = new mupdf.Device({
    fillImage: () => void counts.images++,
    fillImageMask: () => void counts.images++,
    clipImageMask: () => void counts.images++,
    fillPath: () => void counts.filledPaths++,
  });
  page.run(device, mupdf.Matrix.identity);
  device.close();
  return counts;
}

export type TextLine = { text: string; x: number; baseline: number; size: number; bbox: { x0: number; y0: number; x1: number; y1: number } };

/** The text lines of a page as mupdf extracts them, with their place in millimetres. */
export function textLines(page: mupdf.Page): TextLine[] {
  const lines: TextLine[] = [];
  let current: { text: string; origins: Point[]; size: number; quads: number[][] } | undefined;
  page.toStructuredText('preserve-whitespace').walk({
    beginLine: () => {
      current = { text: '', origins: [], size: 0, quads: [] };
    },
    onChar: (character, origin, _font, size, quad) => {
      current!.text += character;
      current!.origins.push({ x: origin[0], y: origin[1] });
      current!.size = Math.max(current!.size, size);
      current!.quads.push(quad);
    },
    endLine: () => {
      if (current && current.origins.length > 0) {
        const xs = current.quads.flatMap((quad) => [quad[0]!, quad[2]!, quad[4]!, quad[6]!]);
        const ys = current.quads.flatMap((quad) => [quad[1]!, quad[3]!, quad[5]!, quad[7]!]);
        lines.push({
          text: current.text,
          x: current.origins[0]!.x / pointsPerMm,
          baseline: current.origins[0]!.y / pointsPerMm,
          size: current.size,
          bbox: {
            x0: Math.min(...xs) / pointsPerMm,
            y0: Math.min(...ys) / pointsPerMm,
            x1: Math.max(...xs) / pointsPerMm,
            y1: Math.max(...ys) / pointsPerMm,
          },
        });
      }
      current = undefined;
    },
  });
  return lines;
}

/** The label cell (index on the page) a point in millimetres falls in, or -1 outside every label. */
export function cellAt(format: LabelFormat, x: number, y: number): number {
  const column = Math.floor((x - format.grid.marginLeftMm) / format.grid.pitchXMm);
  const row = Math.floor((y - format.grid.marginTopMm) / format.grid.pitchYMm);
  if (column < 0 || row < 0 || column >= format.grid.columns || row >= format.grid.rows) return -1;
  const index = row * format.grid.columns + column;
  const cell = labelCellMm(format, index);
  return x <= cell.x + cell.width && y <= cell.y + cell.height ? index : -1;
}
