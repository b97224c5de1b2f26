import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * Label formats are data (labels/*.json): sheet geometry as the label maker publishes it, so a
 * workshop adds its printer's stock by adding a file, not code.
 */
const millimetres = z.number().min(0).max(1000);

export const labelFormatSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string(),
  /** `pdf`: a sheet printed on an office printer; `thermal`: one label per media, as ZPL and as a PDF at media size. */
  output: z.enum(['pdf', 'thermal']),
  page: z.object({ widthMm: millimetres, heightMm: millimetres }),
  grid: z.object({
    columns: z.number().int().min(1),
    rows: z.number().int().min(1),
    marginTopMm: millimetres,
    marginLeftMm: millimetres,
    pitchXMm: millimetres,
    pitchYMm: millimetres,
  }),
  label: z.object({ widthMm: millimetres, heightMm: millimetres, paddingMm: millimetres }),
  // ISO/IEC 18004 levels: M (15 % recoverable) where the label is big enough, L (7 %) keeps modules large on the smallest.
  qrErrorCorrection: z.enum(['L', 'M', 'Q', 'H']),
  codeFontSizePt: z.number().positive(),
  codeLines: z.union([z.literal(1), z.literal(2)]),
  organisationFontSizePt: z.number().positive(),
  zpl: z.object({ dotsPerMm: z.number().int().positive() }).optional(),
});

export type LabelFormat = z.infer<typeof labelFormatSchema>;

const folder = fileURLToPath(new URL('../../labels', import.meta.url));
let formats: Map<string, LabelFormat> | undefined;

export function labelFormats(): Map<string, LabelFormat> {
  if (!formats) {
    formats = new Map();
    for (const file of readdirSync(folder)
      .filter((name) => name.endsWith('.json'))
      .sort()) {
      const format = labelFormatSchema.parse(JSON.parse(readFileSync(`${folder}/${file}`, 'utf8')));
      formats.set(format.id, format);
    }
  }
  return formats;
}

export const labelsPerPage = (format: LabelFormat) => format.grid.columns * format.grid.rows;
