import { csvCell } from '../csv.ts';
import { withoutAccents } from '../text.ts';
import { beaconWarningThreshold } from './access-point-models.ts';
import type { FilteringPolicy, SecurityMode } from './deployments.lifecycle.ts';

/** What one access point broadcasts: a network per apartment of its landing, on every radio. */
export type AccessPointConfig = {
  assetCode: string;
  model: string;
  macAddress: string | null;
  serialNumber: string | null;
  building: string;
  floor: number;
  /** Radios radio0 to radio{radios - 1}, as OpenWrt names them. */
  radios: number;
  securityMode: SecurityMode;
  filtering: FilteringPolicy;
  networks: { unit: string; ssid: string; passphrase: string; passphraseVersion: number }[];
};

/**
 * OpenWrt's `encryption` per security mode, with the management frame protection (802.11w) that
 * goes with it: WPA3 requires it (2), transition mode offers it (1) so WPA2 phones still join. WPA2
 * alone keeps OpenWrt's default (off): some older clients fail to associate when it is offered.
 */
const openWrtSecurity: Record<SecurityMode, { encryption: string; ieee80211w?: string }> = {
  wpa2_personal: { encryption: 'psk2+ccmp' },
  wpa2_wpa3_transition: { encryption: 'sae-mixed', ieee80211w: '1' },
  wpa3_sae: { encryption: 'sae', ieee80211w: '2' },
};

/** A UCI value in single quotes; a quote inside closes the string, adds an escaped quote and reopens it. */
const uciValue = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;

// A line break in a comment would end it, and what follows would be read as configuration.
const commentText = (text: string) => text.replace(/\p{Cc}/gu, ' ');

// Linux limits a network device name to 15 characters, and netifd names an interface's bridge
// "br-<name>": a logical interface name longer than 12 characters leaves its bridge uncreated.
const maxNetworkName = 12;

/**
 * One token per apartment, unique on the access point, for its UCI section names and its network:
 * letters, digits and underscores (what UCI accepts), accents dropped, short enough for netifd. A
 * long unit keeps its end, where its number is ("Bât A escalier 2 n°1204" → "2_n_1204").
 */
function unitTokens(units: readonly string[]): string[] {
  const maxToken = maxNetworkName - 'apt_'.length;
  const taken = new Set<string>();
  return units.map((unit) => {
    const base =
      withoutAccents(unit)
        .replace(/[^A-Za-z0-9]+/g, '_')
        .slice(-maxToken)
        .replace(/^_+|_+$/g, '') || 'unit';
    let token = base;
    for (let counter = 2; taken.has(token); counter++) token = `${base.slice(0, maxToken - `_${counter}`.length)}_${counter}`;
    taken.add(token);
    return token;
  });
}

/**
 * The wifi-iface sections of OpenWrt's /etc/config/wireless for one access point. A wifi-iface
 * is bound to one radio, so each apartment's network gets one section per radio: its SSID is
 * broadcast on every band of its landing's access point. The wifi-device sections (one per radio)
 * are the installer's and are not written here.
 */
export function renderUciWireless(config: AccessPointConfig, generatedAt: Date = new Date()): string {
  const security = openWrtSecurity[config.securityMode];
  const tokens = unitTokens(config.networks.map((network) => network.unit));
  const lines = [
    `# Boucle: access point ${config.assetCode} (${config.model})`,
    ...(config.macAddress ? [`# MAC address ${config.macAddress}`] : []),
    ...(config.serialNumber ? [`# Serial number ${config.serialNumber}`] : []),
    `# Building ${config.building}, landing ${config.floor}; filtering: ${config.filtering} (applied by the ISP, not here)`,
    `# Generated ${generatedAt.toISOString()}`,
    '# Contains the apartments’ Wi-Fi passphrases: keep it private, delete it once applied.',
    '#',
    '# Each apartment has its own network (apt_...): the ISP maps it to the apartment’s VLAN, so',
    '# that apartments never share a LAN. Those interfaces are defined in /etc/config/network.',
  ].map(commentText);
  if (config.networks.length > beaconWarningThreshold) {
    lines.push(
      '#',
      `# ${config.networks.length} SSIDs per radio: every SSID beacons about 10 times a second, at the lowest`,
      '# basic rate, whether anyone uses it or not; at 1 Mb/s beacons alone eat much of the airtime.',
      '# On each wifi-device section (radio0...; not written by this file) drop the low basic rates:',
      "#   option legacy_rates '0'   (no 802.11b rates; older releases default to '1')",
      "#   option cell_density '1'   (basic rates 6, 12 and 24 Mb/s), or a basic_rate list to that effect",
    );
  }
  config.networks.forEach((network, index) => {
    for (const text of [network.ssid, network.passphrase]) {
      if (/\p{Cc}/u.test(text)) throw new Error(`The network of unit ${network.unit} contains a control character, which /etc/config/wireless cannot hold.`);
    }
    for (let radio = 0; radio < config.radios; radio++) {
      lines.push(
        '',
        commentText(`# Unit ${network.unit}, passphrase version ${network.passphraseVersion}, radio${radio}`),
        `config wifi-iface ${uciValue(`boucle_${tokens[index]}_r${radio}`)}`,
        `\toption device ${uciValue(`radio${radio}`)}`,
        `\toption mode 'ap'`,
        `\toption network ${uciValue(`apt_${tokens[index]}`)}`,
        `\toption ssid ${uciValue(network.ssid)}`,
        `\toption encryption ${uciValue(security.encryption)}`,
        `\toption key ${uciValue(network.passphrase)}`,
        ...(security.ieee80211w ? [`\toption ieee80211w ${uciValue(security.ieee80211w)}`] : []),
      );
    }
  });
  return `${lines.join('\n')}\n`;
}

// Wi-Fi Alliance names, as controllers' screens and import formats show them.
const securityNames: Record<SecurityMode, string> = {
  wpa2_personal: 'WPA2-Personal',
  wpa2_wpa3_transition: 'WPA2/WPA3-Personal',
  wpa3_sae: 'WPA3-Personal',
};

const controllerCsvHeader = [
  'access_point',
  'mac_address',
  'serial_number',
  'model',
  'building',
  'landing',
  'unit',
  'ssid',
  'security',
  'passphrase',
  'passphrase_version',
  'filtering',
];

/**
 * The networks of several access points for controllers that import a spreadsheet (Omada, UniFi...):
 * one row per apartment network, RFC 4180 with commas and CRLF, no byte order mark (importers take
 * it for part of the first column's name). Cells a spreadsheet would run as a formula get a leading '.
 */
export function renderControllerCsv(configs: AccessPointConfig[]): string {
  const rows = configs.flatMap((config) =>
    config.networks.map((network) => [
      config.assetCode,
      config.macAddress,
      config.serialNumber,
      config.model,
      config.building,
      config.floor,
      network.unit,
      network.ssid,
      securityNames[config.securityMode],
      network.passphrase,
      network.passphraseVersion,
      config.filtering,
    ]),
  );
  return [controllerCsvHeader, ...rows].map((row) => `${row.map((cell) => csvCell(cell, ',')).join(',')}\r\n`).join('');
}
