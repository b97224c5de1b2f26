import { randomInt } from 'node:crypto';
import { isStorableText } from '../text.ts';

/**
 * The SSID and passphrase of an apartment's network. IEEE 802.11 limits an SSID to 32 bytes
 * (UTF-8 here, so an accented letter counts twice) and a WPA2/WPA3-personal passphrase to 8 to 63
 * printable ASCII characters.
 */
export const maxSsidBytes = 32;
export const passphraseLengthRange = { min: 8, max: 63 } as const;

// Letters and digits without look-alikes (0/O/o, 1/l/I/i): tenants type it from a letter.
const passphraseAlphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function generatePassphrase(length: number): string {
  if (!Number.isInteger(length) || length < passphraseLengthRange.min || length > passphraseLengthRange.max) {
    throw new RangeError(`a passphrase has ${passphraseLengthRange.min} to ${passphraseLengthRange.max} characters`);
  }
  return Array.from({ length }, () => passphraseAlphabet[randomInt(passphraseAlphabet.length)]).join('');
}

export const ssidPlaceholders = ['residence', 'building', 'unit', 'floor'] as const;
type SsidValues = Record<(typeof ssidPlaceholders)[number], string>;

const placeholderPattern = /\{([a-z]+)\}/g;
const utf8 = new TextEncoder();
export const byteLength = (text: string) => utf8.encode(text).length;

/** What is wrong with a landlord's SSID pattern, or undefined. */
export function ssidPatternProblem(pattern: string): string | undefined {
  const unknown = [...pattern.matchAll(placeholderPattern)].map((match) => match[1]!).filter((name) => !(ssidPlaceholders as readonly string[]).includes(name));
  if (unknown.length > 0) return `Unknown placeholder {${unknown[0]}}; use ${ssidPlaceholders.map((name) => `{${name}}`).join(', ')}.`;
  if (!pattern.includes('{unit}')) return 'The pattern must contain {unit}, so that each apartment recognises its own network.';
  return undefined;
}

/** What is wrong with an SSID typed by a person, or undefined. */
export function ssidProblem(ssid: string): string | undefined {
  if (ssid.trim() !== ssid || ssid.length === 0) return 'An SSID cannot be empty, nor start or end with a space.';
  if (/\p{Cc}/u.test(ssid) || !isStorableText(ssid)) return 'An SSID cannot contain control characters or broken characters.';
  if (byteLength(ssid) > maxSsidBytes) return `An SSID is at most ${maxSsidBytes} bytes (accented letters count twice); this one has ${byteLength(ssid)}.`;
  return undefined;
}

/** Cuts to at most `bytes` UTF-8 bytes without splitting a character. */
function truncateBytes(text: string, bytes: number): string {
  let kept = '';
  for (const character of text) {
    if (byteLength(kept + character) > bytes) break;
    kept += character;
  }
  return kept;
}

const fill = (pattern: string, values: SsidValues) =>
  pattern
    .replace(placeholderPattern, (_, name: keyof SsidValues) => values[name])
    .replace(/\p{Cc}/gu, '')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * The SSID of one apartment from the landlord's pattern, readable and within 32 bytes, different
 * from every SSID in `taken` (the residence's, whose buildings are each other's radio neighbours).
 * When too long, the residence and building names are shortened first: the unit is what a tenant
 * looks for in the list. A clash gets a number (-2, -3...).
 */
export function ssidFor(pattern: string, values: SsidValues, taken: ReadonlySet<string>): string {
  let shortened = { ...values };
  let base = fill(pattern, shortened);
  while (byteLength(base) > maxSsidBytes && (shortened.residence.length > 3 || shortened.building.length > 1)) {
    shortened =
      shortened.residence.length > 3
        ? { ...shortened, residence: [...shortened.residence].slice(0, -1).join('') }
        : { ...shortened, building: [...shortened.building].slice(0, -1).join('') };
    base = fill(pattern, shortened);
  }
  base = truncateBytes(base, maxSsidBytes).trim();
  let candidate = base;
  for (let counter = 2; taken.has(candidate); counter++) {
    const suffix = `-${counter}`;
    candidate = `${truncateBytes(base, maxSsidBytes - suffix.length).trim()}${suffix}`;
  }
  return candidate;
}
