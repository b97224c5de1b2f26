import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import { csvDocument } from '../csv.ts';
import type { DbOrTx } from '../db/client.ts';
import type { DeviceKind } from '../devices/devices.schema.ts';
import { lookUpCommune, postalCodesOf } from '../geography/communes.ts';
import { sites } from '../organisations/organisations.schema.ts';
import { enrolments, equipmentRequests, households, trainingModules, trainingSessions } from './allocation.schema.ts';
import { requireAllocationRight } from './rights.ts';

/*
 * Training sessions as the activity reports (comptes rendus d'activité, CRA) conseillers
 * numériques file in the Coop de la médiation numérique: its fields and the values of its own
 * lists (the API values of `type`, `typeLieu`, `materiel` and `thematiques` in the Coop's code).
 * Nothing personal about a family: the communes they live in and how many attended.
 */

/** A session for one family is an individual accompaniment; a session with several places is a workshop. */
type CoopActivityType = 'individuel' | 'collectif';

/** The Coop's `materiel` values for the device a family learns on (the kind its request asked for). */
const coopMateriel: Record<DeviceKind, 'ordinateur' | 'telephone' | 'tablette' | 'autre'> = {
  laptop: 'ordinateur',
  desktop: 'ordinateur',
  tablet: 'tablette',
  smartphone: 'telephone',
  screen: 'autre',
  peripheral: 'autre',
  access_point: 'autre',
  other: 'autre',
};

/**
 * The Coop's `thematiques` a module covers, read from its title and topics. Every session is the
 * training that comes with a device, so it is always "Prendre en main du matériel"; the others
 * when the module names them.
 */
export const coopThemeRules: { theme: string; words: RegExp }[] = [
  { theme: 'navigation_sur_internet', words: /internet|navigat|navigu|se connecter|recherche en ligne|formulaire/i },
  { theme: 'email', words: /e-?mail|courriel|messagerie|boîte mail/i },
  { theme: 'parentalite', words: /scolaire|pronote|educonnect|espace numérique de travail|\bENT\b|collège|école/i },
  { theme: 'securite_numerique', words: /sécurité|mot de passe|arnaque|hameçonnage|fraude/i },
  { theme: 'bureautique', words: /bureautique|traitement de texte|tableur/i },
  { theme: 'gere_ses_contenus_numeriques', words: /fichiers|stockage|dossiers|photos/i },
  { theme: 'aide_aux_demarches_administratives', words: /démarche|administrati|\bCAF\b|impôts|franceconnect|france connect/i },
];

export function coopThemes(module: { title: string; topics: string[] }): string[] {
  const text = [module.title, ...module.topics].join(' · ');
  return ['prendre_en_main_du_materiel', ...coopThemeRules.filter((rule) => rule.words.test(text)).map((rule) => rule.theme)];
}

const parisDay = (date: Date) => new Intl.DateTimeFormat('fr-CA', { timeZone: 'Europe/Paris' }).format(date);

export type CoopActivity = {
  sessionId: string;
  type: CoopActivityType;
  date: string;
  duree: number;
  typeLieu: 'lieu_activite';
  lieuNom: string;
  lieuCodeInsee: string;
  lieuCommune: string;
  lieuCodePostal: string;
  materiel: string[];
  thematiques: string[];
  titreAtelier: string;
  participants: number;
  communesParticipants: { communeCode: string; participants: number }[];
};

/**
 * The organisation's sessions held between two days (Paris time, both included) that families
 * attended, one activity each: the families marked present are its participants.
 */
export async function coopActivities(db: DbOrTx, actor: Actor, range: { from: string; to: string }): Promise<CoopActivity[]> {
  requireAllocationRight(actor, 'run_training_sessions');
  const sessions = await db
    .select({ session: trainingSessions, module: trainingModules, site: sites })
    .from(trainingSessions)
    .innerJoin(trainingModules, eq(trainingModules.id, trainingSessions.moduleId))
    .innerJoin(sites, eq(sites.id, trainingSessions.siteId))
    .where(
      and(
        eq(trainingSessions.organisationId, actor.organisationId),
        sql`${trainingSessions.startsAt} >= (${range.from}::date)::timestamp at time zone 'Europe/Paris'`,
        sql`${trainingSessions.startsAt} < (${range.to}::date + 1)::timestamp at time zone 'Europe/Paris'`,
      ),
    )
    .orderBy(asc(trainingSessions.startsAt), asc(trainingSessions.id));
  if (sessions.length === 0) return [];
  const present = await db
    .select({ sessionId: enrolments.sessionId, communeCode: households.communeCode, need: equipmentRequests.need })
    .from(enrolments)
    .innerJoin(households, eq(households.id, enrolments.householdId))
    .innerJoin(equipmentRequests, eq(equipmentRequests.id, enrolments.requestId))
    .where(
      and(
        inArray(
          enrolments.sessionId,
          sessions.map((row) => row.session.id),
        ),
        eq(enrolments.status, 'present'),
      ),
    );
  return sessions.flatMap(({ session, module, site }) => {
    const attended = present.filter((row) => row.sessionId === session.id);
    if (attended.length === 0) return [];
    const communes = new Map<string, number>();
    for (const row of attended) communes.set(row.communeCode, (communes.get(row.communeCode) ?? 0) + 1);
    const commune = lookUpCommune(site.communeCode);
    const postalCodes = postalCodesOf(site.communeCode);
    const type: CoopActivityType = session.capacity === 1 ? 'individuel' : 'collectif';
    return [
      {
        sessionId: session.id,
        type,
        date: parisDay(session.startsAt),
        duree: module.durationMinutes,
        typeLieu: 'lieu_activite' as const,
        lieuNom: site.name,
        lieuCodeInsee: site.communeCode,
        lieuCommune: commune.ok ? commune.commune.name : '',
        lieuCodePostal: site.postalCode ?? (postalCodes.length === 1 ? postalCodes[0]! : ''),
        materiel: [...new Set(attended.map((row) => coopMateriel[row.need.kind]))].sort(),
        thematiques: coopThemes(module),
        titreAtelier: type === 'collectif' ? module.title : '',
        participants: attended.length,
        communesParticipants: [...communes.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([communeCode, participants]) => ({ communeCode, participants })),
      },
    ];
  });
}

/** The columns, named as the Coop's activity fields (snake_case); what Boucle does not record is left empty. */
export const coopColumns = [
  'id_session_boucle',
  'type',
  'date',
  'duree',
  'type_lieu',
  'lieu_nom',
  'lieu_code_insee',
  'lieu_commune',
  'lieu_code_postal',
  'materiel',
  'thematiques',
  'titre_atelier',
  'niveau',
  'nombre_participants',
  'communes_participants',
  'autonomie',
  'oriente_vers_structure',
] as const;

/** The activities as a spreadsheet (semicolons, UTF-8 with BOM); several values in a cell are separated by commas. */
export function coopActivitiesCsv(activities: CoopActivity[]): string {
  return csvDocument(
    [...coopColumns],
    activities.map((activity) => [
      activity.sessionId,
      activity.type,
      activity.date,
      activity.duree,
      activity.typeLieu,
      activity.lieuNom,
      activity.lieuCodeInsee,
      activity.lieuCommune,
      activity.lieuCodePostal,
      activity.materiel.join(','),
      activity.thematiques.join(','),
      activity.titreAtelier,
      '',
      activity.participants,
      activity.communesParticipants.map((entry) => `${entry.communeCode}:${entry.participants}`).join(','),
      '',
      '',
    ]),
  );
}
