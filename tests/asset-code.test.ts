import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAssetCode, generateAssetCode, parseAssetCode } from '../src/devices/asset-code.ts';

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const someCodes = Array.from({ length: 300 }, () => generateAssetCode());

describe('asset codes', () => {
  it('are 8 Crockford base32 symbols, printed as two groups of four', () => {
    for (const code of someCodes) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
      expect(formatAssetCode(code)).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    }
  });

  it('read back as themselves, with or without the dash, in any case, with spaces', () => {
    for (const code of someCodes) {
      const printed = formatAssetCode(code);
      for (const typed of [code, printed, printed.toLowerCase(), ` ${printed.slice(0, 4)} ${printed.slice(5)} `]) {
        expect(parseAssetCode(typed)).toEqual({ ok: true, code });
      }
    }
  });

  it('read O as 0 and I or L as 1, as Crockford intends', () => {
    const code = someCodes.find((candidate) => candidate.includes('0') || candidate.includes('1'));
    expect(code).toBeDefined();
    const lookalike = code!.replace(/0/g, 'o').replace(/1/g, 'l');
    expect(parseAssetCode(lookalike)).toEqual({ ok: true, code });
  });

  it('catch every single-character substitution', () => {
    for (const code of someCodes.slice(0, 100)) {
      for (let position = 0; position < code.length; position++) {
        for (const symbol of alphabet) {
          if (symbol === code[position]) continue;
          const mistyped = code.slice(0, position) + symbol + code.slice(position + 1);
          expect(parseAssetCode(mistyped), `${code} → ${mistyped}`).toMatchObject({ ok: false, reason: 'check_failed' });
        }
      }
    }
  });

  it('catch every swap of two neighbouring characters', () => {
    for (const code of someCodes) {
      for (let position = 0; position < code.length - 1; position++) {
        if (code[position] === code[position + 1]) continue;
        const swapped = code.slice(0, position) + code[position + 1] + code[position] + code.slice(position + 2);
        expect(parseAssetCode(swapped), `${code} → ${swapped}`).toMatchObject({ ok: false, reason: 'check_failed' });
      }
    }
  });

  it('tell a misread from something that is not a code at all', () => {
    expect(parseAssetCode('')).toMatchObject({ ok: false, reason: 'empty' });
    expect(parseAssetCode('B7K2-9QX')).toMatchObject({ ok: false, reason: 'wrong_length' });
    expect(parseAssetCode('B7K2-9QXU')).toMatchObject({ ok: false, reason: 'invalid_character' });
    expect(parseAssetCode('https://example.org')).toMatchObject({ ok: false, reason: 'invalid_character' });
  });

  it('never throw, whatever is typed', () => {
    fc.assert(
      fc.property(fc.string(), (input) => {
        const parsed = parseAssetCode(input);
        expect(typeof parsed.ok).toBe('boolean');
      }),
    );
  });
});
