/**
 * Every code a refusal of Boucle carries: the closed list clients can rely on, with what each
 * means. A `DomainError` takes only these codes, and the French words of each are in
 * `http/problem-fr.ts`, keyed by the same list: a code without its French does not type-check.
 */
export const errorCodes = {
  // Requests a client wrote wrongly
  malformed_request: 'The request could not be read (a broken JSON body or form).',
  validation_failed: 'Some fields are missing or wrong; `errors` names each with its reason.',
  unstorable_text: 'The request holds text that cannot be stored (a NUL or a broken character).',
  unsupported_media_type: 'The body is not of a type this route reads.',
  body_too_large: 'The request body is larger than this route takes.',
  bad_idempotency_key: 'The Idempotency-Key header is not 1 to 255 printable characters.',
  idempotency_key_reused: 'This Idempotency-Key was already used for a different request.',
  asset_code_empty: 'No asset code was given.',
  asset_code_check_failed: 'The asset code’s check character does not match: it was misread.',
  asset_code_invalid_character: 'The asset code holds a character asset codes never have.',
  asset_code_wrong_length: 'The asset code has too few or too many characters.',
  // Who you are and what you may do
  not_signed_in: 'No session or API token, or one that expired or was revoked.',
  invalid_credentials: 'The e-mail address or the password is wrong.',
  too_many_sign_in_attempts: 'Too many failed sign-ins: wait `retryAfterSeconds` (also in Retry-After).',
  csrf_token_missing: 'A change sent with the session cookie lacks the pages’ CSRF token.',
  forbidden: 'Your role or your qualifications do not allow this action.',
  cannot_disable_self: 'An account cannot disable itself.',
  // What does not exist (or is not yours to see)
  not_found: 'Not found, or not visible to your organisation.',
  route_not_found: 'No route answers this method and path.',
  // The state of things
  transition_not_allowed: 'This status cannot go to the one asked; `allowedNextStatuses` says where it can.',
  guard_failed: 'A condition of this step does not hold yet; `failedGuards` gives each with its reason.',
  device_changed: 'The device changed since the version you saw, or at the same moment.',
  device_terminal: 'The device was dismantled or recycled: nothing more happens to it.',
  already_there: 'The device is already at this site.',
  concurrent_change: 'Someone changed this at the same moment: read it again.',
  request_changed: 'Someone changed this request at the same moment: read it again.',
  request_in_progress: 'The same request (same Idempotency-Key) is being processed.',
  answer_not_kept: 'The first answer held a secret, which is given once and never kept: send the request anew.',
  duplicate_serial: 'A device with this serial number is already live in the network.',
  label_already_claimed: 'This pre-printed label already belongs to a device.',
  label_unknown: 'No pre-printed label of your organisation has this code.',
  not_awaiting_wipe: 'Wipes are recorded on collected or returned devices only.',
  work_order_open: 'This device already has an open work order.',
  work_order_closed: 'This work order is already closed.',
  email_taken: 'An account already uses this e-mail address.',
  reference_taken: 'Your organisation already follows a family with this reference.',
  no_matching_device: 'No ready device in stock meets this need yet.',
  request_not_eligible: 'Only an eligible request gets a device.',
  device_taken: 'Another request holds this device already.',
  request_not_reserved: 'A family is booked on a training once a device is reserved.',
  wrong_module: 'This session is not of the training the programme requires.',
  session_full: 'This training session is full.',
  already_enrolled: 'This family is already booked on this session.',
  training_not_completed: 'The family has not completed the mandatory training yet.',
  not_the_reserved_device: 'This is not the device reserved for this request.',
  nothing_reserved: 'This request holds no device.',
  residence_exists: 'This landlord already has a residence of this name.',
  building_exists: 'This residence already has a building of this name.',
  box_already_installed: 'This building already has its fibre box recorded.',
  mac_address_known: 'An equipment with this MAC address is already recorded.',
  landing_over_capacity: 'A landing has more apartments than its access point serves; `landings` gives each.',
  not_ready_to_provision: 'Provisioning comes once the access points are installed.',
  not_provisioned: 'The apartment has no Wi-Fi network yet.',
  ssid_taken: 'Another apartment of the residence already broadcasts this network name.',
  not_ready: 'The document is being prepared: try again in a moment.',
  inventories_queued: 'Other inventories are being read: send this one again after Retry-After.',
  not_a_public_donor: 'This organisation is not a public donor (a donor that is a public body, with its SIREN): it files no reuse attestation.',
  // Ours
  internal_error: 'Something went wrong on Boucle’s side; it was logged with the request id.',
} as const;

export type ErrorCode = keyof typeof errorCodes;
