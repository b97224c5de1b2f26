import { waitInWords } from '../auth/sign-in-throttle.ts';
import type { ErrorCode } from '../error-codes.ts';
import type { DomainError } from '../errors.ts';

/**
 * The refusals people meet on Boucle's pages, in French: the API answers in English, and in French
 * to a browser that asks for it (Accept-Language: fr), which the pages' own requests do. Every code
 * of the closed list (error-codes.ts) has its words here: a missing one fails the type check.
 */
const catalogue: Record<ErrorCode, (details: Record<string, unknown>) => string> = {
  // A refused status change carries its own French, written beside its English (src/status-machine.ts).
  transition_not_allowed: () => 'Cette étape n’est pas possible dans l’état actuel.',
  guard_failed: () => 'Une condition n’est pas remplie pour cette étape.',
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
  malformed_request: () => 'La demande n’a pas pu être lue : rechargez la page et recommencez.',
  validation_failed: () => frenchValidationDetail,
  unstorable_text: () => 'Le texte envoyé contient un caractère illisible (un NUL ou un caractère abîmé).',
  unsupported_media_type: () => 'Ce type de fichier n’est pas lu ici : envoyez un fichier CSV.',
  body_too_large: () => 'L’envoi est trop volumineux pour cette page.',
  bad_idempotency_key: () => 'La clé d’idempotence (Idempotency-Key) doit faire de 1 à 255 caractères imprimables.',
  invalid_credentials: () => 'Adresse e-mail ou mot de passe incorrect.',
  cannot_disable_self: () => 'Vous ne pouvez pas désactiver votre propre compte.',
  route_not_found: () => 'Cette adresse ne correspond à aucune page ni à aucune opération.',
  device_terminal: () => 'Cet équipement est démonté ou recyclé : il ne change plus de site.',
  already_there: () => 'L’équipement est déjà sur ce site.',
  duplicate_serial: () => 'Un équipement portant ce numéro de série est déjà enregistré dans le réseau.',
  label_already_claimed: () => 'Cette étiquette pré-imprimée appartient déjà à un équipement.',
  label_unknown: () => 'Aucune étiquette pré-imprimée de votre structure ne porte ce code.',
  residence_exists: () => 'Ce bailleur a déjà une résidence de ce nom.',
  building_exists: () => 'Cette résidence a déjà un bâtiment de ce nom.',
  box_already_installed: () => 'La box fibre de ce bâtiment est déjà enregistrée.',
  mac_address_known: () => 'Un équipement portant cette adresse MAC est déjà enregistré.',
  landing_over_capacity: () => 'Un palier compte plus de logements que sa borne ne peut en servir : ajoutez une borne sur ce palier.',
  not_ready_to_provision: () => 'La configuration du Wi-Fi vient une fois les bornes installées.',
  not_provisioned: () => 'Ce logement n’a pas encore de réseau Wi-Fi : configurez d’abord le bâtiment.',
  ssid_taken: () => 'Un autre logement de la résidence diffuse déjà ce nom de réseau : les voisins verraient deux réseaux du même nom.',
  not_ready: () => 'Ce document est en préparation : réessayez dans un instant.',
  not_a_public_donor: () =>
    'Cette structure n’est pas un donateur public (une personne publique donatrice, avec son numéro SIREN) : elle n’a pas d’attestation de réemploi.',
  inventories_queued: () => 'D’autres inventaires sont en cours de lecture : renvoyez celui-ci dans un instant.',
  internal_error: () => 'Une erreur est survenue de notre côté ; elle a été enregistrée.',
};

export const prefersFrench = (acceptLanguage: string | undefined) => /^\s*fr\b/i.test(acceptLanguage ?? '');

/** The French words of a refusal: its thrower's, or the catalogue's for its code. */
export const refusalInFrench = (error: DomainError) => error.french?.detail ?? catalogue[error.code](error.details ?? {});

export const frenchValidationDetail = 'Certains champs manquent ou sont incorrects.';
