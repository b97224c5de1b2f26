import fc from 'fast-check';

/** What an answer must never show: stack frames, SQL, the names of the database layers. */
export const leaks = /\n\s+at\s|\bat\s+\S+\s+\(\S+:\d+:\d+\)|\bselect\s[\s\S]*\sfrom\s|\binsert\s+into\b|\bpostgres|\bdrizzle|node_modules|DrizzleQueryError/i;

/** Percent-encodes all but unreserved characters, so any string (even a lone surrogate) fits in a URL. */
export const percentEncode = (value: string) =>
  [...Buffer.from(value, 'utf8')]
    .map((byte) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) && byte < 0x80 ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, '0')}`))
    .join('');

/**
 * The names every plain JavaScript object answers to without holding them: a lookup table that
 * takes a client's word must not mistake them for one of its entries.
 */
export const prototypeNames = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'] as const;

/** Strings that have broken web APIs before: NUL, lone surrogates, RTL marks, quotes, LIKE wildcards, prototype names, huge. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      'a\u0000b',
      '\ud800',
      'x\udfff',
      '😀',
      '\u202etxt.exe',
      "O'Brien",
      "'; drop table users; --",
      '%',
      '_',
      '\\',
      '"',
      '${jndi:ldap://x}',
      '<script>alert(1)</script>',
      'null',
      '0',
      '-1',
      '1e309',
      'NaN',
      '../../etc/passwd',
      '\r\n',
      '\uFEFF',
      'ＡＢＣ',
      'Ⅻ',
      'İ',
      ...prototypeNames,
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 300_000 }).map((length) => 'é'.repeat(length)) },
);

export const anyJson = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' });

/** A URL path segment nobody should send: broken escapes, traversal, huge, a code-like string, a prototype name. */
export const garbageSegment = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }).map(percentEncode),
  fc.constantFrom(
    '%ZZ',
    '%00',
    '%2e%2e',
    '%2F',
    'null',
    '-1',
    '0',
    '00000000-0000-0000-0000-00000000000g',
    'x'.repeat(300),
    '%E0%A4%A',
    'B7K2-9QXM',
    ...prototypeNames,
  ),
);
