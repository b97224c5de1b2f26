import type { SecurityMode } from './deployments.lifecycle.ts';

/*
 * The "Wi-Fi network config" text of ZXing (WIFI:T:...;S:...;P:...;;), which the camera apps of
 * Android and iOS read to join a network. In S and P, the characters \ ; , : " are escaped with a
 * backslash; a reader takes the character after any backslash as it is.
 */

const escapeField = (value: string) => value.replace(/[\\;,:"]/g, (character) => `\\${character}`);

/**
 * The QR text that joins an apartment's network. T names the password family, not its version:
 * the Wi-Fi Alliance's WPA3 specification writes T:WPA for WPA2 and WPA3-Personal alike, and phones
 * choose WPA2 or WPA3 from what the access point announces. R:1 (WPA3 only, transition disabled)
 * is left out, so the same code stays valid if the landlord changes the security mode.
 */
export function wifiQrPayload(network: { ssid: string; passphrase: string; securityMode: SecurityMode }): string {
  return `WIFI:T:WPA;S:${escapeField(network.ssid)};P:${escapeField(network.passphrase)};;`;
}

/** Reads a Wi-Fi QR text back (fields in any order, unknown ones ignored); throws on anything else. */
export function parseWifiQrPayload(text: string): { type: string; ssid: string; passphrase: string } {
  if (!text.startsWith('WIFI:')) throw new Error('A Wi-Fi QR text starts with "WIFI:".');
  const fields = new Map<string, string>();
  let position = 'WIFI:'.length;
  for (;;) {
    if (position >= text.length) throw new Error('The Wi-Fi QR text does not end with ";;".');
    if (text[position] === ';') {
      position++;
      break;
    }
    const colon = text.indexOf(':', position);
    const key = colon < 0 ? '' : text.slice(position, colon);
    if (!/^[A-Z]+$/.test(key)) throw new Error(`Expected a field such as "S:" at character ${position + 1} of the Wi-Fi QR text.`);
    if (fields.has(key)) throw new Error(`The field ${key} appears twice in the Wi-Fi QR text.`);
    let value = '';
    position = colon + 1;
    for (;;) {
      const character = text[position];
      if (character === undefined) throw new Error(`The field ${key} of the Wi-Fi QR text is not closed by ";".`);
      if (character === ';') break;
      if (character === '\\') {
        position++;
        if (position >= text.length) throw new Error(`The field ${key} of the Wi-Fi QR text ends with a lone backslash.`);
      }
      // Whole code points, so that an escaped emoji is not cut between its two UTF-16 halves.
      const codePoint = String.fromCodePoint(text.codePointAt(position)!);
      value += codePoint;
      position += codePoint.length;
    }
    fields.set(key, value);
    position++;
  }
  if (position !== text.length) throw new Error('The Wi-Fi QR text goes on after its closing ";;".');
  const type = fields.get('T');
  const ssid = fields.get('S');
  const passphrase = fields.get('P') ?? (type === 'nopass' ? '' : undefined);
  if (type === undefined || ssid === undefined || passphrase === undefined) {
    throw new Error('A Wi-Fi QR text needs a type (T), a network name (S) and, unless T is nopass, a password (P).');
  }
  return { type, ssid, passphrase };
}
