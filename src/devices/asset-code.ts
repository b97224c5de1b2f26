import { randomInt } from 'node:crypto';

/**
 * Asset codes: 7 random Crockford base32 symbols and 1 check symbol, shown as `B7K2-9QWM`.
 *
 * The check is Crockford's idea (a checksum modulo the prime 37) with position weights: the
 * weighted sum of all eight values, weights 1..8, must be 0 modulo 37. Because 37 is prime and
 * larger than any symbol value, any single substituted symbol or any swap of two neighbours
 * changes the sum, so a mistyped code is refused instead of matching another device. Codes whose
 * check value would need one of Crockford's five extra symbols (*~$=U) are never issued, so every
 * code prints, types and fits a URL with the plain 32 symbols.
 */
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const dataLength = 7;
const codeLength = dataLength + 1;
const modulus = 37;

export type AssetCodeParse =
  | { ok: true; code: string }
  | { ok: false; reason: 'empty' | 'invalid_character' | 'wrong_length' | 'check_failed'; message: string };

const weightedSum = (values: number[]) => values.reduce((sum, value, index) => sum + (index + 1) * value, 0) % modulus;

/** The check value c such that the full weighted sum is 0 mod 37 (c * 8 = -sum, and 8 * 14 = 112 = 1 mod 37). */
function checkValue(dataValues: number[]): number {
  const inverseOfLastWeight = 14;
  return (((modulus - weightedSum(dataValues)) % modulus) * inverseOfLastWeight) % modulus;
}

export function generateAssetCode(random: (max: number) => number = randomInt): string {
  for (;;) {
    const values = Array.from({ length: dataLength }, () => random(alphabet.length));
    const check = checkValue(values);
    if (check < alphabet.length) return [...values, check].map((value) => alphabet[value]).join('');
  }
}

/** `B7K29QWM` → `B7K2-9QWM`, as printed on labels and shown to people. */
export function formatAssetCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * Reads a code the way Crockford base32 intends: case does not matter, dashes and spaces are
 * ignored, O reads as 0 and I/L as 1 (what people and scanners confuse).
 */
export function parseAssetCode(input: string): AssetCodeParse {
  const cleaned = input
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (cleaned.length === 0) return { ok: false, reason: 'empty', message: 'No code was given.' };
  const badCharacter = [...cleaned].find((character) => !alphabet.includes(character));
  if (badCharacter !== undefined) {
    return {
      ok: false,
      reason: 'invalid_character',
      message: `"${input}" is not an asset code: "${badCharacter}" never appears in one.`,
    };
  }
  if (cleaned.length !== codeLength) {
    return {
      ok: false,
      reason: 'wrong_length',
      message: `"${input}" is not an asset code: a code has ${codeLength} characters, like B7K2-9QWM.`,
    };
  }
  const values = [...cleaned].map((character) => alphabet.indexOf(character));
  if (weightedSum(values) !== 0) {
    return {
      ok: false,
      reason: 'check_failed',
      message: `"${input}" was misread or mistyped: its check character does not match. Scan or type it again.`,
    };
  }
  return { ok: true, code: cleaned };
}
