import type { HoursOfDay, OpeningNow, WallClock } from '../places/opening-hours.ts';
import type { PlaceActivity, PlaceNeed } from '../places/places.types.ts';

/** The words of the places' pages (/lieux, a place's page, the site's place form) and of the documents that point to a place. */

/** The three questions of /lieux, with the words of their address (`?besoin=donner`). */
export const needs: { need: PlaceNeed; slug: string; question: string; short: string }[] = [
  { need: 'give', slug: 'donner', question: 'Où donner un ordinateur ?', short: 'Donner un ordinateur' },
  { need: 'get', slug: 'obtenir', question: 'Où obtenir un ordinateur à prix solidaire ?', short: 'Obtenir un ordinateur à prix solidaire' },
  { need: 'learn', slug: 'se-former', question: 'Où se former ?', short: 'Se former au numérique' },
];

export const activityLabels: Record<PlaceActivity, string> = {
  collects_donations: 'Collecte les ordinateurs donnés',
  wipes_data: 'Efface les données',
  refurbishes: 'Reconditionne',
  hands_over: 'Remet des ordinateurs aux familles',
  trains_families: 'Forme les familles',
};

/**
 * The national schema's typologies in words (ANCT's model gives them as codes, with these names
 * in its comments); a code missing here is shown as it is.
 */
export const typologyLabels: Record<string, string> = {
  ACI: 'Atelier et chantier d’insertion',
  ACIPHC: 'Atelier chantier d’insertion « premières heures en chantier »',
  AFPA: 'Agence nationale pour la formation professionnelle des adultes (AFPA)',
  AI: 'Association intermédiaire',
  ASE: 'Aide sociale à l’enfance',
  ASSO: 'Association',
  ASSO_CHOMEUR: 'Association de chômeurs',
  Autre: 'Autre',
  AVIP: 'Crèche à vocation d’insertion professionnelle',
  BIB: 'Bibliothèque, médiathèque',
  CAARUD: 'Centre d’accueil et d’accompagnement à la réduction des risques (CAARUD)',
  CADA: 'Centre d’accueil de demandeurs d’asile',
  CAF: 'Caisse d’allocations familiales',
  CAP_EMPLOI: 'Cap emploi',
  CAVA: 'Centre d’adaptation à la vie active',
  CC: 'Communauté de communes',
  CCAS: 'Centre communal d’action sociale (CCAS)',
  CCONS: 'Chambre consulaire',
  CD: 'Conseil départemental',
  CDAS: 'Centre départemental d’action sociale',
  CFP: 'Centre des finances publiques',
  CHRS: 'Centre d’hébergement et de réinsertion sociale',
  CHU: 'Centre d’hébergement d’urgence',
  CIAS: 'Centre intercommunal d’action sociale',
  CIDFF: 'Centre d’information sur les droits des femmes et des familles',
  CITMET: 'Cité des métiers',
  CMP: 'Centre médico-psychologique',
  CMS: 'Centre médico-social',
  CPAM: 'Caisse primaire d’assurance maladie',
  CPH: 'Centre provisoire d’hébergement',
  CS: 'Centre social',
  CSAPA: 'Centre de soins, d’accompagnement et de prévention en addictologie',
  CSC: 'Centre socioculturel',
  DEETS: 'Direction de l’économie, de l’emploi, du travail et des solidarités',
  DEPT: 'Services sociaux du conseil départemental',
  DIPLP: 'Délégation interministérielle à la prévention et à la lutte contre la pauvreté',
  E2C: 'École de la deuxième chance',
  EA: 'Entreprise adaptée',
  EATT: 'Entreprise adaptée de travail temporaire',
  EI: 'Entreprise d’insertion',
  EITI: 'Entreprise d’insertion par le travail indépendant',
  ENM: 'Espace numérique mobile',
  EPCI: 'Intercommunalité',
  EPI: 'Espace public internet',
  EPIDE: 'Établissement pour l’insertion dans l’emploi',
  EPN: 'Espace public numérique',
  ES: 'Épicerie solidaire',
  ESAT: 'Établissement ou service d’aide par le travail',
  ESS: 'Entreprise de l’économie sociale et solidaire',
  ETTI: 'Entreprise de travail temporaire d’insertion',
  EVS: 'Espace de vie sociale',
  FABLAB: 'Fablab',
  FABRIQUE: 'Fabrique',
  FAIS: 'Fédération d’acteurs de l’insertion et de la solidarité',
  FT: 'France Travail',
  GEIQ: 'Groupement d’employeurs pour l’insertion et la qualification',
  HUDA: 'Hébergement d’urgence pour demandeurs d’asile',
  LA_POSTE: 'La Poste',
  MDE: 'Maison de l’emploi',
  MDH: 'Maison des habitants',
  MDEF: 'Maison de l’emploi et de la formation',
  MDPH: 'Maison départementale des personnes handicapées',
  MDS: 'Maison départementale des solidarités',
  MJC: 'Maison des jeunes et de la culture',
  ML: 'Mission locale',
  MQ: 'Maison de quartier',
  MSA: 'Mutualité sociale agricole',
  MSAP: 'Maison de services au public',
  MUNI: 'Mairie, services municipaux',
  OACAS: 'Organisme d’accueil communautaire et d’activités solidaires',
  ODC: 'Organisation délégataire d’un conseil départemental',
  OF: 'Organisme de formation',
  OIL: 'Opérateur d’intermédiation locative',
  OPCS: 'Organisation porteuse de la clause sociale',
  PAD: 'Point d’accès au droit',
  PENSION: 'Pension de famille',
  PI: 'Point info',
  PIJ_BIJ: 'Point ou bureau information jeunesse',
  PIMMS: 'Point information médiation multi-services',
  PJJ: 'Protection judiciaire de la jeunesse',
  PLIE: 'Plan local pour l’insertion et l’emploi',
  PREF: 'Préfecture, sous-préfecture',
  PREVENTION: 'Service ou club de prévention',
  REG: 'Région',
  RELAIS_LECTURE: 'Relais lecture',
  RESSOURCERIE: 'Ressourcerie',
  RFS: 'France services',
  RS_FJT: 'Résidence sociale, foyer de jeunes travailleurs',
  SCP: 'Services et clubs de prévention',
  SPIP: 'Service pénitentiaire d’insertion et de probation',
  TIERS_LIEUX: 'Tiers-lieu, coworking',
  UDAF: 'Union départementale des associations familiales',
};

export const typologyLabel = (code: string) => typologyLabels[code] ?? code;

const weekdays = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'];

/** "9 h", "17 h 30", "minuit". */
export function frenchTime(time: string): string {
  const [hours = '0', minutes = '00'] = time.split(':');
  if ((hours === '24' || hours === '00') && minutes === '00') return 'minuit';
  return `${Number(hours)} h${minutes === '00' ? '' : ` ${minutes}`}`;
}

const dayMonth = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', timeZone: 'UTC' });
const dayInFrench = (day: Pick<WallClock, 'date' | 'weekday'>) => `${weekdays[day.weekday]} ${dayMonth.format(new Date(`${day.date}T12:00:00Z`))}`;

/** "9 h – 12 h et 14 h – 17 h 30", or "fermé (jour férié)". */
export function dayHoursInFrench(day: HoursOfDay): string {
  if (day.intervals.length === 0) return day.publicHoliday ? 'fermé (jour férié)' : 'fermé';
  if (day.intervals.length === 1 && day.intervals[0]!.from === '00:00' && day.intervals[0]!.to === '24:00') return 'ouvert toute la journée';
  const intervals = day.intervals.map((interval) => `${frenchTime(interval.from)} – ${frenchTime(interval.to)}`);
  return intervals.length === 1 ? intervals[0]! : `${intervals.slice(0, -1).join(', ')} et ${intervals.at(-1)}`;
}

/** The day of a day's hours, "lundi 21 décembre". */
export const dayOfHoursInFrench = (day: HoursOfDay) => dayInFrench(day);

/** "Ouvert en ce moment, jusqu’à 12 h", "Fermé en ce moment, ouvre lundi 28 décembre à 9 h"; `today` is the day in Paris (YYYY-MM-DD). */
export function openingNowInFrench(now: OpeningNow, today: string): string {
  if (now.state === 'unknown') return 'Horaires non renseignés';
  const change = now.nextChange;
  if (now.state === 'open') {
    if (!change) return 'Ouvert en ce moment';
    return change.date === today
      ? `Ouvert en ce moment, jusqu’à ${frenchTime(change.time)}`
      : `Ouvert en ce moment, jusqu’au ${dayInFrench(change)} à ${frenchTime(change.time)}`;
  }
  if (!change) return 'Fermé en ce moment';
  return change.date === today
    ? `Fermé en ce moment, ouvre aujourd’hui à ${frenchTime(change.time)}`
    : `Fermé en ce moment, ouvre ${dayInFrench(change)} à ${frenchTime(change.time)}`;
}

/**
 * A usual week in a few lines, days with the same hours together: "du lundi au vendredi : 9 h –
 * 12 h et 14 h – 17 h 30", "samedi et dimanche : fermé", then "fermé les jours fériés".
 */
export function usualWeekInFrench(week: { days: HoursOfDay[]; closedOnPublicHolidays: boolean }): string[] {
  const runs: { from: HoursOfDay; to: HoursOfDay; count: number; hours: string }[] = [];
  for (const day of week.days) {
    const hours = day.intervals.length === 0 ? 'fermé' : dayHoursInFrench(day);
    const last = runs.at(-1);
    if (last && last.hours === hours) Object.assign(last, { to: day, count: last.count + 1 });
    else runs.push({ from: day, to: day, count: 1, hours });
  }
  const lines = runs.map(({ from, to, count, hours }) => {
    const days =
      count === 1
        ? weekdays[from.weekday]
        : count === 2
          ? `${weekdays[from.weekday]} et ${weekdays[to.weekday]}`
          : `du ${weekdays[from.weekday]} au ${weekdays[to.weekday]}`;
    return `${days!.charAt(0).toUpperCase()}${days!.slice(1)} : ${hours}`;
  });
  return week.closedOnPublicHolidays ? [...lines, 'Fermé les jours fériés'] : lines;
}
