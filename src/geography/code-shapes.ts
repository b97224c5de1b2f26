/**
 * The shapes of the official codes, each written once: what a body, a form, a file, a database
 * check and the open data's Table Schema hold a code to. The codes' existence is looked up in
 * the official geography (communes.ts).
 */

/** An INSEE commune code: two characters of département (2A/2B for Corsica) and three digits. */
export const communeCodePattern = /^([0-9]{2}|2A|2B)[0-9]{3}$/;

/** A département code: two digits, 2A or 2B, or an overseas département (971 to 976). */
export const departementCodePattern = /^([0-9]{2}|2A|2B|97[1-6])$/;

/** A SIREN: nine digits (an EPCI's, a town hall's, any legal unit's). */
export const sirenPattern = /^[0-9]{9}$/;

/** A pattern without its anchors, for a Table Schema (whose patterns always match the whole value). */
export const unanchored = (pattern: RegExp) => pattern.source.replace(/^\^/, '').replace(/\$$/, '');

/**
 * The département of a current commune, read from its code: its first two characters (2A or 2B in
 * Corsica), three overseas (97411 is in 974, 98735 in 987), as the official geography says for
 * every current commune (tests/matching.test.ts checks them all), without loading it.
 */
export function departementOfCommune(communeCode: string): string {
  const code = communeCode.toUpperCase();
  return code.slice(0, /^9[78]/.test(code) ? 3 : 2);
}
