/** Postgres text holds neither NUL nor half of a UTF-16 surrogate pair: such text is refused as input, never sent. */
export const isStorableText = (value: string) => !value.includes('\u0000') && value.isWellFormed();

/**
 * Text files from users' machines (spreadsheet exports, tool logs): spreadsheets on French Windows
 * still export CSV in Windows-1252 whatever the menu says, so text that is not valid UTF-8 is read as
 * Windows-1252 rather than refused.
 */
export function decodeUploadedText(content: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    // A UTF-8 byte order mark on a file whose text is not UTF-8 (some tools add it blindly).
    const utf8Mark = content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf;
    const text = new TextDecoder('windows-1252').decode(utf8Mark ? content.subarray(3) : content);
    return text.replace(/[\u0080-\u009f]/g, (control) => windows1252Extras[control.charCodeAt(0) - 0x80] || control);
  }
}

/**
 * What Windows-1252 puts at 0x80 to 0x9F (€, ’, œ, the dashes...), where ISO-8859-1 has control
 * characters: Node 20's decoder reads these bytes as ISO-8859-1 does, so an apostrophe typed in
 * Excel (0x92) would become an invisible U+0092. Empty: a byte Windows-1252 leaves undefined.
 */
const windows1252Extras = [...'€\u0000‚ƒ„…†‡ˆ‰Š‹Œ\u0000Ž\u0000\u0000‘’“”•–—˜™š›œ\u0000žŸ'].map((char) => (char === '\u0000' ? '' : char));

/** Letters without their accents ("Bâtiment é" → "Batiment e"), for names made of plain ASCII. */
export const withoutAccents = (text: string) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');

/** A label as it reads inside a sentence: "Recyclé (DEEE)" → "recyclé (DEEE)". */
export const inSentence = (label: string) => label.charAt(0).toLowerCase() + label.slice(1);

/**
 * French formatting puts a narrow no-break space (U+202F) in "1 800,00 €" and "35 %"; the PDFs'
 * standard fonts have no glyph for it, so every figure Boucle prints keeps the plain no-break space.
 */
const withPrintableSpaces = (text: string) => text.replaceAll('\u202f', '\u00a0');
const euroFormat = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

/** An amount in cents, in euros as French writes it: "1 800,00 €". */
export const euros = (cents: number) => withPrintableSpaces(euroFormat.format(cents / 100));

/** A share from 0 to 1 as a French percentage: "35 %", "33,3 %". */
export const percent = (share: number) => withPrintableSpaces(share.toLocaleString('fr-FR', { style: 'percent', maximumFractionDigits: 1 }));
