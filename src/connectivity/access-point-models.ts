/**
 * What an access point model can broadcast, from its maker's datasheet: SSIDs per radio and
 * radios. A model not listed broadcasts 8 SSIDs per radio on 2 radios, the common ceiling of
 * current enterprise access points; an installer can state other figures when registering one.
 */
export type AccessPointModel = { ssidsPerRadio: number; radios: number };

export const accessPointModels: Record<string, AccessPointModel> = {
  'TP-Link EAP245': { ssidsPerRadio: 8, radios: 2 },
  'TP-Link EAP610': { ssidsPerRadio: 8, radios: 2 },
  'TP-Link EAP650': { ssidsPerRadio: 8, radios: 2 },
  'Ubiquiti UniFi U6 Lite': { ssidsPerRadio: 8, radios: 2 },
  'Ubiquiti UniFi U6+': { ssidsPerRadio: 8, radios: 2 },
  'Cisco Meraki MR36': { ssidsPerRadio: 15, radios: 2 },
};

export const defaultAccessPointModel: AccessPointModel = { ssidsPerRadio: 8, radios: 2 };

export const accessPointModel = (model: string): AccessPointModel =>
  Object.entries(accessPointModels).find(([name]) => name.toLowerCase() === model.trim().toLowerCase())?.[1] ?? defaultAccessPointModel;

/**
 * Above this many SSIDs on a radio, beacons eat airtime: each SSID beacons about 10 times a
 * second, at the lowest basic rate, whether anyone uses it or not.
 */
export const beaconWarningThreshold = 5;
