import type { DeviceKind } from '../devices/devices.types.ts';
import { inSentence } from '../text.ts';
import type { Words } from '../status-machine.ts';

/**
 * The refurbishment rules the network keeps as data: what the diagnostic checklist must show
 * for a device to go to stock, and how the grade is suggested. A network changes these here; a
 * test walks every rule.
 */
export const grades = ['A', 'B', 'C'] as const;
export type Grade = (typeof grades)[number];

export const checkOutcomes = ['ok', 'fault', 'absent'] as const;
export type CheckOutcome = (typeof checkOutcomes)[number];

export const checklistItems = ['power', 'screen', 'keyboard', 'battery', 'storage', 'ports', 'wifi', 'webcam'] as const;
export type ChecklistItem = (typeof checklistItems)[number];

export type Checklist = Partial<Record<ChecklistItem, CheckOutcome>> & { batteryHealthPercent?: number };

/** Items that must be `ok` for a kind to go to stock; the others may be absent (a desktop has no battery). */
export const requiredChecks: Record<DeviceKind, readonly ChecklistItem[]> = {
  laptop: ['power', 'screen', 'keyboard', 'battery', 'storage', 'ports', 'wifi'],
  desktop: ['power', 'storage', 'ports'],
  tablet: ['power', 'screen', 'battery', 'storage', 'wifi'],
  smartphone: ['power', 'screen', 'battery', 'storage', 'wifi'],
  screen: ['power', 'screen', 'ports'],
  peripheral: ['power'],
  access_point: ['power', 'ports', 'wifi'],
  other: ['power'],
};

/** Below this battery health (% of design capacity) a laptop's battery counts as a fault. */
export const minimumBatteryHealthPercent = 50;

export type GradingFacts = {
  ramGb?: number;
  storageGb?: number;
  storageType?: 'hdd' | 'ssd' | 'nvme' | 'emmc' | 'other';
  batteryHealthPercent?: number;
  cosmetic?: Grade;
};

type GradingRule = { cap: Grade; reason: string; applies: (facts: GradingFacts) => boolean };

/** Each rule caps the grade; the suggestion is the lowest cap that applies (A when none does). */
export const gradingRules: readonly GradingRule[] = [
  { cap: 'B', reason: 'a hard disk (HDD) caps the grade at B', applies: (facts) => facts.storageType === 'hdd' },
  { cap: 'C', reason: 'less than 4 GB of RAM', applies: (facts) => facts.ramGb !== undefined && facts.ramGb < 4 },
  { cap: 'B', reason: 'less than 8 GB of RAM', applies: (facts) => facts.ramGb !== undefined && facts.ramGb < 8 },
  { cap: 'C', reason: 'less than 128 GB of storage', applies: (facts) => facts.storageGb !== undefined && facts.storageGb < 128 },
  { cap: 'B', reason: 'less than 256 GB of storage', applies: (facts) => facts.storageGb !== undefined && facts.storageGb < 256 },
  {
    cap: 'C',
    reason: 'battery below 60 % of its design capacity',
    applies: (facts) => facts.batteryHealthPercent !== undefined && facts.batteryHealthPercent < 60,
  },
  {
    cap: 'B',
    reason: 'battery below 80 % of its design capacity',
    applies: (facts) => facts.batteryHealthPercent !== undefined && facts.batteryHealthPercent < 80,
  },
  { cap: 'B', reason: 'visible wear (cosmetic B)', applies: (facts) => facts.cosmetic === 'B' },
  { cap: 'C', reason: 'marked casing or screen (cosmetic C)', applies: (facts) => facts.cosmetic === 'C' },
];

export function suggestGrade(facts: GradingFacts): { grade: Grade; reasons: string[] } {
  const applying = gradingRules.filter((rule) => rule.applies(facts));
  const grade = applying.reduce<Grade>((worst, rule) => (grades.indexOf(rule.cap) > grades.indexOf(worst) ? rule.cap : worst), 'A');
  return { grade, reasons: applying.filter((rule) => rule.cap === grade).map((rule) => rule.reason) };
}

const outcomesInFrench: Record<Exclude<CheckOutcome, 'ok'>, (item: string) => string> = {
  fault: (item) => `${item} : en panne`,
  absent: (item) => `il manque : ${item}`,
};

/** What in the checklist keeps a device from stock, in both languages; empty when it passed. */
export function checklistProblemsInWords(kind: DeviceKind, checklist: Checklist): Words[] {
  const problems = requiredChecks[kind].flatMap((item): Words[] => {
    const outcome = checklist[item];
    const label = inSentence(checklistItemLabels[item]);
    if (outcome === undefined) return [{ en: `${item} not checked`, fr: `${label} : à vérifier` }];
    return outcome === 'ok' ? [] : [{ en: `${item}: ${outcome}`, fr: outcomesInFrench[outcome](label) }];
  });
  if (requiredChecks[kind].includes('battery') && (checklist.batteryHealthPercent ?? 0) < minimumBatteryHealthPercent) {
    const measured = checklist.batteryHealthPercent;
    problems.push({
      en: `battery health ${measured ?? 'not measured'} (at least ${minimumBatteryHealthPercent} % needed)`,
      fr: `santé de la batterie ${measured === undefined ? 'non mesurée' : `${measured} %`} (au moins ${minimumBatteryHealthPercent} % demandés)`,
    });
  }
  return problems;
}

/** What in the checklist keeps a device from stock, in words; empty when it passed. */
export const checklistProblems = (kind: DeviceKind, checklist: Checklist): string[] => checklistProblemsInWords(kind, checklist).map((problem) => problem.en);

/** The checklist's items as the pages and the reasons name them. */
export const checklistItemLabels: Record<ChecklistItem, string> = {
  power: 'Alimentation',
  screen: 'Écran',
  keyboard: 'Clavier',
  battery: 'Batterie',
  storage: 'Stockage',
  ports: 'Ports',
  wifi: 'Wi-Fi',
  webcam: 'Webcam',
};
