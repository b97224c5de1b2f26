import { waitInWords } from '../auth/sign-in-throttle.ts';
import type { DomainError } from '../errors.ts';

/**
 * The refusals people meet on Boucle's pages, in French: the API answers in English, and in French
 * to a browser that asks for it (Accept-Language: fr), which the pages' own requests do. A refusal
 * not listed here keeps its English words. A refused status change (`transition_not_allowed`,
 * `guard_failed`) carries its own French, written beside its English (src/status-machine.ts).
 */
const catalogue: Record<string, (details: Record<string, unknown>) => string> = {
  device_changed: () => 'Quelqu’un a modifié cet équipement au même moment : scannez-le à nouveau pour voir où il en est.',
  concurrent_change: () => 'Quelqu’un a fait une modification au même moment : rechargez et recommencez.',
  request_in_progress: () => 'La même demande est en cours de traitement : réessayez dans un instant.',
  too_many_sign_in_attempts: (details) => `Trop de tentatives de connexion échouées : réessayez dans ${waitInWords(Number(details.retryAfterSeconds), true)}.`,
  answer_not_kept: () => 'La première réponse contenait un secret, que Boucle ne donne qu’une fois et ne garde pas : refaites la demande.',
  idempotency_key_reused: () => 'Cette opération a déjà été envoyée avec un autre contenu : recommencez-la.',
  csrf_token_missing: () => 'Cette action doit venir des pages de Boucle : rechargez la page et recommencez.',
  not_found: (details) =>
    typeof details.scannedCode === 'string'
      ? `Aucun équipement ni aucune étiquette de votre structure ne porte le code ${details.scannedCode}.`
      : 'Introuvable, ou pas accessible à votre structure.',
  forbidden: () => 'Votre rôle ou vos habilitations ne permettent pas cette action.',
  not_signed_in: () => 'Votre session a expiré : reconnectez-vous.',
  work_order_open: () => 'Une fiche de reconditionnement est déjà ouverte pour cet équipement.',
  work_order_closed: () => 'Cette fiche de reconditionnement est déjà close.',
  not_awaiting_wipe: () => 'Cet équipement n’attend pas d’effacement dans son état actuel.',
  device_taken: () => 'Cet équipement vient d’être réservé pour une autre demande.',
  training_not_completed: () => 'La famille n’a pas encore suivi la formation obligatoire.',
  not_the_reserved_device: () => 'Ce n’est pas l’équipement réservé pour cette demande : scannez le bon.',
  nothing_reserved: () => 'Aucun équipement n’est réservé pour cette demande.',
  email_taken: () => 'Un compte utilise déjà cette adresse e-mail.',
  reference_taken: () => 'Votre structure suit déjà une famille avec cette référence : choisissez-en une autre.',
  no_matching_device: () => 'Aucun équipement prêt en stock ne correspond à ce besoin pour le moment. Réessayez plus tard.',
  request_not_eligible: () => 'Seule une demande éligible peut recevoir un équipement.',
  request_changed: () => 'Quelqu’un a modifié cette demande au même moment : rechargez la page.',
  request_not_reserved: () => 'La famille s’inscrit à une formation une fois l’équipement réservé.',
  wrong_module: () => 'Cette session n’est pas celle de la formation demandée par le dispositif.',
  session_full: () => 'Cette session est complète : choisissez-en une autre.',
  already_enrolled: () => 'Cette famille est déjà inscrite à cette session.',
  asset_code_empty: () => 'Aucun code : scannez l’étiquette ou saisissez le code imprimé.',
  asset_code_check_failed: () => 'Code mal lu (le caractère de contrôle ne correspond pas) : scannez à nouveau l’étiquette.',
  asset_code_invalid_character: () => 'Ce n’est pas un code Boucle : scannez à nouveau l’étiquette ou saisissez le code imprimé.',
  asset_code_wrong_length: () => 'Code incomplet : scannez à nouveau l’étiquette ou saisissez le code imprimé.',
};

export const prefersFrench = (acceptLanguage: string | undefined) => /^\s*fr\b/i.test(acceptLanguage ?? '');

/** The French words of a refusal, when the catalogue has them. */
export function frenchDetail(error: DomainError): string | undefined {
  return error.french?.detail ?? catalogue[error.code]?.(error.details ?? {});
}

/** What a page shows of a refusal: its French words, or its own. */
export const refusalInFrench = (error: DomainError) => frenchDetail(error) ?? error.message;

// A field's message, as zod and our own schemas word it, in French; unknown ones stay as they are.
const fieldMessages: [RegExp, (match: RegExpMatchArray) => string][] = [
  [/^Invalid input: expected \w+, received undefined$/, () => 'À renseigner.'],
  [/^Invalid input: expected (number|int), received/, () => 'Un nombre entier est attendu.'],
  [/^Invalid input: expected (string|boolean|object|array|true|false)/, () => 'Cette valeur n’est pas du type attendu.'],
  [/^Invalid option: expected one of/, () => 'Choisissez une des valeurs proposées.'],
  [/^Too small: expected number to be >=?(\S+)$/, (match) => `Au moins ${match[1]}.`],
  [/^Too big: expected number to be <=?(\S+)$/, (match) => `Au plus ${match[1]}.`],
  [/^Too big: expected string to have <=?(\d+) characters$/, (match) => `${match[1]} caractères au plus.`],
  [/^At most (\d+) characters\.$/, (match) => `${match[1]} caractères au plus.`],
  [/^Cannot be empty\.$/, () => 'Ne peut pas être vide.'],
  [/^Invalid UUID$/, () => 'Identifiant invalide.'],
  [/^Invalid ISO datetime$/, () => 'Date et heure invalides.'],
  [/^Invalid email address$/, () => 'Adresse e-mail invalide.'],
  [/^Unrecognized keys?: (.*)$/, (match) => `Champ inconnu : ${match[1]}.`],
  [/ is not a WEEE channel Boucle knows: /, () => 'Choisissez une des filières DEEE de la liste (ou « Autre » avec son nom).'],
  [/^Name the channel that takes the device when it is other/, () => 'Indiquez le nom de la filière quand elle est « Autre ».'],
  [/^The channel's name is text of at most (\d+) characters\.$/, (match) => `Le nom de la filière tient en ${match[1]} caractères au plus.`],
];

export function frenchFieldMessage(message: string): string {
  for (const [pattern, words] of fieldMessages) {
    const match = message.match(pattern);
    if (match) return words(match);
  }
  return message;
}

export const frenchValidationDetail = 'Certains champs manquent ou sont incorrects.';
