import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderControllerCsv, renderUciWireless, type AccessPointConfig } from '../src/connectivity/ap-config.ts';
import { filteringPolicies, securityModes, type SecurityMode } from '../src/connectivity/deployments.lifecycle.ts';
import { renderTenantLetter, type TenantLetter } from '../src/connectivity/letter-pdf.ts';
import { parseWifiQrPayload, wifiQrPayload } from '../src/connectivity/wifi-qr.ts';
import { cropMm, decodeQr, openPdf, pageSizeMm, renderPage, textLines } from './helpers/pdf.ts';

// Pure renderers: no database, no Redis.

const trickyTexts = ['a;b', 'a,b', 'a:b', 'a\\b', 'a"b', "l'Olivier", 'Les Tilleuls B12', 'Café é', 'Wi-Fi 😀', '\\;,:"', 'WIFI:S:x;;', ' ', '\\'];

describe('Wi-Fi QR text', () => {
  it('is the ZXing Wi-Fi form, with T:WPA whatever the security mode', () => {
    for (const securityMode of securityModes) {
      expect(wifiQrPayload({ ssid: 'Tilleuls B12', passphrase: 'k7Rm4qXz9Tpw', securityMode })).toBe('WIFI:T:WPA;S:Tilleuls B12;P:k7Rm4qXz9Tpw;;');
    }
  });

  it('escapes backslash, semicolon, comma, colon and double quote in the name and the password', () => {
    expect(wifiQrPayload({ ssid: 'a\\b;c,d:e"f', passphrase: ';p\\', securityMode: 'wpa2_personal' })).toBe('WIFI:T:WPA;S:a\\\\b\\;c\\,d\\:e\\"f;P:\\;p\\\\;;');
  });

  it.each(trickyTexts)('reads back %j exactly, as name and as password', (text) => {
    const network = { ssid: text, passphrase: `${text}${text}`, securityMode: 'wpa3_sae' as const };
    expect(parseWifiQrPayload(wifiQrPayload(network))).toEqual({ type: 'WPA', ssid: network.ssid, passphrase: network.passphrase });
  });

  it('reads back any name and password (property)', () => {
    const special = fc.constantFrom('\\', ';', ',', ':', '"', "'", ' ', 'é', '😀', 'S:', 'P:', ';;');
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: special }),
      fc.string({ unit: fc.oneof(special, fc.string({ minLength: 1, maxLength: 1 })) }),
    );
    fc.assert(
      fc.property(text, text, fc.constantFrom(...securityModes), (ssid, passphrase, securityMode) => {
        const parsed = parseWifiQrPayload(wifiQrPayload({ ssid, passphrase, securityMode }));
        expect(parsed).toEqual({ type: 'WPA', ssid, passphrase });
      }),
      { numRuns: 500 },
    );
  });

  it('accepts fields in another order and without a password for an open network', () => {
    expect(parseWifiQrPayload('WIFI:S:Cafe;T:WPA;P:secret12;H:false;;')).toEqual({ type: 'WPA', ssid: 'Cafe', passphrase: 'secret12' });
    expect(parseWifiQrPayload('WIFI:T:nopass;S:Cafe;;')).toEqual({ type: 'nopass', ssid: 'Cafe', passphrase: '' });
  });

  const malformed = {
    'no WIFI: prefix': 'T:WPA;S:x;P:y;;',
    'no closing ;;': 'WIFI:T:WPA;S:x;P:y;',
    'an unclosed field': 'WIFI:T:WPA;S:x',
    'text after the end': 'WIFI:T:WPA;S:x;P:y;;more',
    'a lone final backslash': 'WIFI:T:WPA;S:x\\',
    'no network name': 'WIFI:T:WPA;P:y;;',
    'no password': 'WIFI:T:WPA;S:x;;',
    'a field twice': 'WIFI:T:WPA;S:x;S:z;P:y;;',
    'a field without a name': 'WIFI:T:WPA;x;;',
  };
  it.each(Object.entries(malformed))('refuses a text with %s', (_, text) => {
    expect(() => parseWifiQrPayload(text)).toThrow(Error);
  });
});

const letter = (changes: Partial<TenantLetter> = {}): TenantLetter => ({
  landlord: 'Habitat Marseille Provence',
  residence: 'Résidence Les Tilleuls',
  building: 'B',
  address: '12 avenue des Chartreux, 13004 Marseille',
  unit: 'B12',
  floor: 1,
  ssid: 'Tilleuls B12',
  passphrase: 'k7Rm4qXz9Tpw',
  passphraseVersion: 2,
  securityMode: 'wpa2_wpa3_transition',
  filtering: 'malware',
  supportContact: 'Hotline Connexion solidaire : 04 91 00 00 00',
  isp: 'Fibre Solidaire',
  issuedOn: '2025-03-14',
  ...changes,
});

const pixelsPerMm = 6;

/** What a phone and a reader get from the letter: its pages, its QR code, its text (no-break spaces as spaces). */
async function readLetter(content: TenantLetter) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await renderTenantLetter(content, out);
  const document = openPdf(Buffer.concat(chunks));
  const page = document.loadPage(0);
  const { widthMm, heightMm } = pageSizeMm(page);
  const qr = decodeQr(cropMm(renderPage(page, pixelsPerMm), { x: 0, y: 0, width: widthMm, height: heightMm }));
  const lines = textLines(page).map((line) => line.text.replaceAll('\u00a0', ' ').trim());
  // The running text with its line breaks undone, to look for phrases wherever the lines wrap.
  const text = lines.join(' ').replace(/\s+/g, ' ');
  return { pages: document.countPages(), title: document.getMetaData('info:Title'), qr, lines, text, widthMm, heightMm };
}

describe('tenant letter', () => {
  it('is one A4 page addressed to the dwelling, whose QR code joins its network', async () => {
    const content = letter({ ssid: 'Café;B,12:"\\', passphrase: 'k7Rm;4q,Xz:9"T\\pw' });
    const read = await readLetter(content);
    expect(read.pages).toBe(1);
    expect([Math.round(read.widthMm), Math.round(read.heightMm)]).toEqual([210, 297]);
    expect(read.title).toBe('Connexion solidaire — logement B12');
    expect(read.qr?.url).toBe(wifiQrPayload(content));
    expect(read.qr?.errorCorrection).toBe('M');
    expect(read.qr!.symbol.width / pixelsPerMm).toBeGreaterThanOrEqual(40);
    expect(read.lines).toContain('Aux occupants du logement B12');
    expect(read.lines).toContain(content.ssid);
    expect(read.lines).toContain(content.passphrase);
    for (const words of [
      'connexion solidaire',
      'rien à signer',
      'Scannez ce code',
      'ne voient ce que',
      'porte le mot de passe n° 2',
      content.supportContact!,
    ]) {
      expect(read.text).toContain(words);
    }
  });

  it('prints what WinAnsi cannot as "?" and says so, while the QR code carries the exact name', async () => {
    const content = letter({ ssid: 'Tilleuls 😀 Ω', passphrase: 'k7Rm4qXz9Tpw' });
    const read = await readLetter(content);
    expect(read.pages).toBe(1);
    expect(read.qr?.url).toBe(wifiQrPayload(content));
    expect(read.lines).toContain('Tilleuls ? ?');
    expect(read.text).toContain('ne peuvent pas être imprimés');
  });

  it('shows spaces of the passphrase and names look-alike characters', async () => {
    const read = await readLetter(letter({ passphrase: 'O0 1lI pass' }));
    expect(read.lines).toContain('O0·1lI·pass');
    for (const name of ['chiffre zéro', 'lettre O majuscule', 'chiffre un', 'lettre L minuscule', 'lettre i majuscule', 'un espace']) {
      expect(read.text).toContain(name);
    }
  });

  it('stays on one page with long names, a 63-character passphrase and no support contact', async () => {
    const long = 'Office Public de l’Habitat de la Métropole Aix-Marseille-Provence et de ses communes associées';
    const content = letter({
      landlord: long,
      residence: long,
      address: `${long}, 13004 Marseille`,
      ssid: 'Tilleuls bâtiment B logement 120',
      passphrase: 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789abcdefgh',
      supportContact: null,
      isp: long,
    });
    const read = await readLetter(content);
    expect(read.pages).toBe(1);
    expect(read.qr?.url).toBe(wifiQrPayload(content));
    const passphraseLines = read.lines.slice(
      read.lines.indexOf('Mot de passe') + 1,
      read.lines.indexOf('Tapez les lignes à la suite, sans retour à la ligne.'),
    );
    expect(passphraseLines.join('')).toBe(content.passphrase);
    expect(read.text).toContain('votre gardien ou votre bailleur');
  });

  it.each(filteringPolicies.flatMap((filtering) => securityModes.map((securityMode) => ({ filtering, securityMode }))))(
    'says in plain French how the network is protected and filtered ($securityMode, $filtering)',
    async ({ filtering, securityMode }) => {
      const { text } = await readLetter(letter({ filtering, securityMode }));
      expect(text).toContain(
        { none: 'aucun filtrage', malware: 'sites malveillants bloqués', malware_and_adult: 'sites malveillants et contenus pour adultes bloqués' }[filtering],
      );
      expect(text).toContain(
        { wpa2_personal: 'WPA2, reconnu', wpa2_wpa3_transition: 'WPA3 pour les appareils récents', wpa3_sae: 'WPA3 seulement' }[securityMode],
      );
    },
  );
});

/** Splits a UCI line into words as libuci reads them: quotes keep everything, a backslash outside quotes escapes one character. */
function uciWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const character = line[index]!;
    if (character === ' ' || character === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    let end = index;
    if (character === "'" || character === '"') end = line.indexOf(character, index + 1);
    else if (character === '\\') end = index + 1;
    if (end < 0 || end >= line.length) throw new Error(`unterminated ${character} in ${line}`);
    word = (word ?? '') + (end === index ? character : character === '\\' ? line[end] : line.slice(index + 1, end));
    index = end;
  }
  return word === undefined ? words : [...words, word];
}

type UciSection = { type: string; name: string; options: Record<string, string> };

function parseUci(text: string): UciSection[] {
  const sections: UciSection[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const [keyword, first, second, ...rest] = uciWords(line.trim());
    if (rest.length > 0 || first === undefined || second === undefined) throw new Error(`unexpected line: ${line}`);
    if (keyword === 'config') sections.push({ type: first, name: second, options: {} });
    else if (keyword === 'option' && sections.length > 0) sections.at(-1)!.options[first] = second;
    else throw new Error(`unexpected line: ${line}`);
  }
  return sections;
}

const accessPoint = (networks: number, changes: Partial<AccessPointConfig> = {}): AccessPointConfig => ({
  assetCode: 'B7K29QXM',
  model: 'TP-Link EAP610',
  macAddress: '50:91:E3:12:34:56',
  serialNumber: '22351F8000123',
  building: 'B',
  floor: 3,
  radios: 2,
  securityMode: 'wpa2_wpa3_transition',
  filtering: 'malware',
  networks: Array.from({ length: networks }, (_, index) => ({
    unit: `B3${index}`,
    ssid: `Tilleuls B3${index}`,
    passphrase: `passphrase-${index}-Xz9Tpw`,
    passphraseVersion: 1,
  })),
  ...changes,
});

describe('OpenWrt wireless configuration', () => {
  const expectedSecurity: Record<SecurityMode, Record<string, string | undefined>> = {
    wpa2_personal: { encryption: 'psk2+ccmp', ieee80211w: undefined },
    wpa2_wpa3_transition: { encryption: 'sae-mixed', ieee80211w: '1' },
    wpa3_sae: { encryption: 'sae', ieee80211w: '2' },
  };

  it.each(securityModes)('puts each of 5 networks on both radios of the access point (%s)', (securityMode) => {
    const config = accessPoint(5, { securityMode });
    config.networks[2]!.ssid = 'L\'Olivier "B" d\'en haut';
    config.networks[3]!.passphrase = "it's a 'quoted' \\ pass";
    const sections = parseUci(renderUciWireless(config));
    expect(sections).toHaveLength(10);
    expect(sections.every((section) => section.type === 'wifi-iface' && /^[A-Za-z0-9_]+$/.test(section.name))).toBe(true);
    expect(new Set(sections.map((section) => section.name)).size).toBe(10);
    for (const radio of ['radio0', 'radio1']) {
      const onRadio = sections.filter((section) => section.options.device === radio);
      expect(onRadio.map((section) => section.options.ssid).sort()).toEqual(config.networks.map((network) => network.ssid).sort());
    }
    for (const network of config.networks) {
      const own = sections.filter((section) => section.options.ssid === network.ssid);
      expect(own.map((section) => section.options.key)).toEqual([network.passphrase, network.passphrase]);
      expect(new Set(own.map((section) => section.options.network)).size).toBe(1);
    }
    expect(new Set(sections.map((section) => section.options.network)).size).toBe(5);
    for (const section of sections) {
      expect(section.options.mode).toBe('ap');
      expect(section.options.encryption).toBe(expectedSecurity[securityMode].encryption);
      expect(section.options.ieee80211w).toBe(expectedSecurity[securityMode].ieee80211w);
    }
  });

  it('gives apartments whose units look alike their own network, short enough for a bridge name', () => {
    const config = accessPoint(4);
    for (const [index, unit] of ['A-12', 'A.12', 'Bâtiment A escalier 2 n°1204', 'Bâtiment A escalier 2 n°1205'].entries()) config.networks[index]!.unit = unit;
    const networks = [...new Set(parseUci(renderUciWireless(config)).map((section) => section.options.network!))];
    expect(networks).toHaveLength(4);
    for (const network of networks) expect(network).toMatch(/^apt_[A-Za-z0-9_]{1,8}$/);
  });

  it('recommends dropping low basic rates from 6 networks on, not at 5', () => {
    expect(renderUciWireless(accessPoint(5))).not.toContain('legacy_rates');
    const six = renderUciWireless(accessPoint(6));
    expect(six).toMatch(/^# .*beacons/m);
    expect(six).toMatch(/^#\s+option legacy_rates '0'/m);
    expect(parseUci(six)).toHaveLength(12);
  });

  it('says what it is in a comment header, and a line break in a name cannot escape it', () => {
    const text = renderUciWireless(accessPoint(1, { building: "B\nconfig wifi-iface 'evil'" }), new Date('2025-03-14T09:00:00Z'));
    const header = text.split('\n\n')[0]!;
    expect(header.split('\n').every((line) => line.startsWith('#'))).toBe(true);
    for (const words of ['Boucle', 'B7K29QXM', 'landing 3', '2025-03-14T09:00:00.000Z', 'keep it private']) expect(header).toContain(words);
    expect(parseUci(text).map((section) => section.name)).toEqual(['boucle_B30_r0', 'boucle_B30_r1']);
  });

  it('refuses a control character in a network name or passphrase', () => {
    const config = accessPoint(1);
    config.networks[0]!.ssid = "B30\nconfig wifi-iface 'x'";
    expect(() => renderUciWireless(config)).toThrow(/control character/);
  });
});

describe('controller CSV', () => {
  it('has one row per network of every access point, and reads back', () => {
    const first = accessPoint(3, { building: 'B, escalier "2"' });
    const second = accessPoint(2, { assetCode: 'C4M7NP2Q', macAddress: null, serialNumber: null, floor: 0, securityMode: 'wpa3_sae', filtering: 'none' });
    second.networks[0]!.ssid = 'L\'Olivier, "C"';
    const csv = renderControllerCsv([first, second]);
    expect(csv.split('\r\n')[0]).toBe(
      'access_point,mac_address,serial_number,model,building,landing,unit,ssid,security,passphrase,passphrase_version,filtering',
    );
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replaceAll('\r\n', '')).not.toContain('\n');
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(5);
    expect(rows.map((row) => row.ssid)).toEqual([...first.networks, ...second.networks].map((network) => network.ssid));
    expect(rows[0]).toMatchObject({
      access_point: 'B7K29QXM',
      mac_address: '50:91:E3:12:34:56',
      building: 'B, escalier "2"',
      landing: '3',
      security: 'WPA2/WPA3-Personal',
      filtering: 'malware',
    });
    expect(rows[3]).toMatchObject({
      access_point: 'C4M7NP2Q',
      mac_address: '',
      serial_number: '',
      landing: '0',
      security: 'WPA3-Personal',
      passphrase: second.networks[0]!.passphrase,
      passphrase_version: '1',
    });
  });

  it('neutralises cells a spreadsheet would run as a formula', () => {
    const config = accessPoint(1, { building: '=HYPERLINK("http://example.com")' });
    config.networks[0]!.unit = '+33';
    const [row] = parse(renderControllerCsv([config]), { columns: true }) as Record<string, string>[];
    expect(row).toMatchObject({ building: '\'=HYPERLINK("http://example.com")', unit: "'+33" });
  });
});
