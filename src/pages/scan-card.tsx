import type { FC } from 'hono/jsx';
import type { DeviceStatus } from '../devices/lifecycle.ts';
import { solidarityPriceCapCents } from '../fund/solidarity-prices.ts';
import { weeeChannels } from '../devices/weee-channels.ts';
import type { WorkOrder } from '../refurbishment/refurbishment.service.ts';
import { checkOutcomes, checklistItems, grades } from '../refurbishment/rules.ts';
import type { scanCode } from '../scan/scan.service.ts';
import { sanitizationLevels, verificationMethods, wipeTechniques } from '../wiping/policy.ts';
import {
  checklistItemLabels,
  dateTime,
  deviceKindLabels,
  deviceStatusLabels,
  euros,
  sanitizationLevelLabels,
  verificationLabels,
  weeeChannelLabels,
  wipeResultLabels,
  wipeTechniqueLabels,
} from './fr.ts';
import { Field, optionsOf, Select } from './forms.tsx';

type Scan = Awaited<ReturnType<typeof scanCode>>;
export type DeviceScan = Extract<Scan, { type: 'device' }>;

/**
 * A form the scan station's script sends to the API (fetch, JSON built from the field names,
 * with the session's CSRF token and an Idempotency-Key, queued while offline). Field names are
 * paths in the JSON body (`records.0.level`); `type=number` fields are sent as numbers.
 */
export const ApiForm: FC<{
  method: string;
  path: string;
  testid?: string;
  extra?: Record<string, unknown>;
  label: string;
  action?: string;
  children?: unknown;
}> = (props) => (
  <form
    class="api-form"
    data-api-method={props.method}
    data-api-path={props.path}
    data-api-extra={props.extra ? JSON.stringify(props.extra) : undefined}
    data-testid={props.testid}
    data-action={props.action}
  >
    {props.children}
    <button type="submit" class="big" data-action={props.action}>
      {props.label}
    </button>
  </form>
);

/** The wipe record of each storage medium, as NIST SP 800-88 asks (one fieldset per medium). */
const WipeForm: FC<{ scan: DeviceScan }> = ({ scan }) => (
  <ApiForm method="POST" path={`/api/devices/${scan.device.code}/wipes`} testid="wipe-form" label="Enregistrer l’effacement">
    <h3>Effacement des données</h3>
    {scan.device.storageMedia.map((medium, index) => (
      <fieldset>
        <legend>
          Support n° {index + 1} : {medium.type.toUpperCase()} {medium.model ?? ''} {medium.serialNumber ?? ''}
        </legend>
        <input type="hidden" name={`records.${index}.mediumIndex`} value={String(index)} data-number />
        <Select name={`records.${index}.level`} label="Niveau (NIST)" options={optionsOf(sanitizationLevels, sanitizationLevelLabels)} required value="purge" />
        <Select name={`records.${index}.technique`} label="Technique" options={optionsOf(wipeTechniques, wipeTechniqueLabels)} required />
        <Field name={`records.${index}.toolName`} label="Outil" required />
        <Select
          name={`records.${index}.verification`}
          label="Vérification"
          options={optionsOf(verificationMethods, verificationLabels)}
          required
          value="full"
        />
        <Select name={`records.${index}.result`} label="Résultat" options={optionsOf(['passed', 'failed'], wipeResultLabels)} required value="passed" />
        {/* Filled with the bench's own clock by the script, in its time zone. */}
        <Field name={`records.${index}.startedAt`} label="Début" type="datetime-local" required />
        <Field name={`records.${index}.endedAt`} label="Fin" type="datetime-local" required />
      </fieldset>
    ))}
  </ApiForm>
);

/** Sends an nwipe or ShredOS log to be read: its answer (nwipe-proposal.tsx, or the refusal) fills #nwipe-proposal. */
export const NwipeLogForm: FC<{ code: string }> = ({ code }) => (
  <>
    <form class="nwipe-log-form" data-testid="nwipe-log-form" data-path={`/scan/nwipe-log?code=${encodeURIComponent(code)}`}>
      <h3>Lire un journal nwipe ou ShredOS</h3>
      <Field name="log" label="Journal (nwipe_log_….txt)" type="file" required />
      <button type="submit" class="secondary">
        Lire le journal
      </button>
    </form>
    <div id="nwipe-proposal" aria-live="polite" />
  </>
);

/** The refurbishment checklist of the open work order, then putting the device in stock. */
const ChecklistForm: FC<{ order: WorkOrder }> = ({ order }) => (
  <>
    <ApiForm method="PATCH" path={`/api/work-orders/${order.id}`} testid="checklist-form" label="Enregistrer la fiche">
      <h3>Fiche de reconditionnement</h3>
      {checklistItems.map((item) => (
        <Select
          name={`checklist.${item}`}
          label={checklistItemLabels[item]}
          options={optionsOf(checkOutcomes, { ok: 'Fonctionne', fault: 'En panne', absent: 'Absent' })}
          value={order.checklist[item] as string | undefined}
          empty="—"
        />
      ))}
      <Field
        name="checklist.batteryHealthPercent"
        label="Santé de la batterie (%)"
        type="number"
        min="0"
        max="100"
        value={order.checklist.batteryHealthPercent}
      />
      <Field name="specs.cpu" label="Processeur" value={order.specs.cpu} />
      <Field name="specs.ramGb" label="Mémoire vive (Go)" type="number" value={order.specs.ramGb} />
      <Field name="specs.storageGb" label="Stockage (Go)" type="number" value={order.specs.storageGb} />
      <Select name="cosmetic" label="État esthétique" options={optionsOf(grades)} value={order.cosmetic ?? undefined} empty="—" />
      <Field name="operatingSystem.name" label="Système installé" value={order.operatingSystem?.name} />
      <Field name="minutesSpent" label="Temps passé (minutes)" type="number" min="0" value={order.minutesSpent} />
    </ApiForm>
    <ApiForm method="POST" path={`/api/work-orders/${order.id}/complete`} testid="complete-work-order" label="Mettre en stock" />
  </>
);

/** The request holding a reserved device, when this person follows it. */
export type HoldingRequest = { id: string; reference: string };

/** What this person may do with the device now: one button or short form per action. */
const Actions: FC<{ scan: DeviceScan; order?: WorkOrder; sites: { id: string; name: string }[]; request?: HoldingRequest }> = ({
  scan,
  order,
  sites,
  request,
}) => {
  const code = scan.device.code;
  const transition = `/api/devices/${code}/transitions`;
  const offered = new Set(scan.actions.map((action) => action.to));
  const status: DeviceStatus = scan.device.status;
  return (
    <div class="actions-area">
      {offered.has('wiped') && scan.device.storageMedia.length > 0 ? (
        <>
          <WipeForm scan={scan} />
          <NwipeLogForm code={code} />
        </>
      ) : null}
      {/* A device with storage is wiped before it is refurbished (the lifecycle's guard). */}
      {offered.has('refurbishing') && (status === 'wiped' || (status === 'collected' && scan.device.storageMedia.length === 0)) ? (
        <ApiForm method="POST" path={`/api/devices/${code}/work-orders`} testid="start-refurbishing" label="Commencer le reconditionnement" />
      ) : null}
      {offered.has('ready') && status === 'refurbishing' && order ? <ChecklistForm order={order} /> : null}
      {offered.has('refurbishing') && status === 'ready' ? (
        <ApiForm method="POST" path={transition} extra={{ to: 'refurbishing' }} label="Signaler une panne" action="refurbishing">
          <Field name="note" label="Panne constatée" required />
        </ApiForm>
      ) : null}
      {offered.has('returned') ? (
        <ApiForm method="POST" path={transition} extra={{ to: 'returned' }} label="Reprendre l’équipement" action="returned">
          <Select name="siteId" label="Site de retour" options={sites.map((site) => ({ value: site.id, label: site.name }))} required />
        </ApiForm>
      ) : null}
      {offered.has('allocated') && request ? (
        <ApiForm
          method="POST"
          path={`/api/requests/${request.id}/handover`}
          extra={{ deviceCode: code }}
          testid="handover-form"
          label="Remettre l’équipement"
          action="allocated"
        >
          <h3>Remise à la famille {request.reference}</h3>
          <Field name="receivedBy" label="Nom de la personne qui reçoit l’équipement" required />
          <div class="field">
            <label for="champ-solidarityPriceCents">Prix solidaire payé par la famille (en euros)</label>
            <p class="hint" id="champ-solidarityPriceCents-aide">
              Facultatif, au plus {euros(solidarityPriceCapCents(scan.device.kind))} pour cet équipement ; vide : remis gratuitement.
            </p>
            <input
              id="champ-solidarityPriceCents"
              name="solidarityPriceCents"
              inputmode="decimal"
              data-euros=""
              aria-describedby="champ-solidarityPriceCents-aide"
            />
          </div>
          <div class="field">
            <input id="champ-termsAccepted" name="termsAccepted" type="checkbox" required />
            <label for="champ-termsAccepted">La personne a lu et accepté les conditions de remise</label>
          </div>
        </ApiForm>
      ) : null}
      <div class="actions">
        {offered.has('dismantled') ? (
          <ApiForm method="POST" path={transition} extra={{ to: 'dismantled' }} label="Démonter pour pièces" action="dismantled" />
        ) : null}
      </div>
      {offered.has('recycled') ? (
        <ApiForm method="POST" path={transition} extra={{ to: 'recycled' }} label="Envoyer au recyclage" action="recycled">
          <Select name="payload.deeeChannel" label="Filière DEEE" options={optionsOf(weeeChannels, weeeChannelLabels)} required empty="— choisir —" />
          <Field name="payload.deeeChannelName" label="Nom de la filière (obligatoire pour « Autre » ; ou la déchetterie, l’opérateur)" />
        </ApiForm>
      ) : null}
    </div>
  );
};

/** The card of a scanned device: what it is, where, its last events and the actions open to this person. */
export const DeviceCard: FC<{ scan: DeviceScan; order?: WorkOrder; sites: { id: string; name: string }[]; request?: HoldingRequest }> = ({
  scan,
  order,
  sites,
  request,
}) => (
  <section class="card" data-testid="device-card" data-code={scan.device.code.replace('-', '')} data-status={scan.device.status} aria-labelledby="card-title">
    <h2 id="card-title">
      {deviceKindLabels[scan.device.kind]} {scan.device.brand} {scan.device.model}
    </h2>
    <dl class="facts">
      <dt>Code</dt>
      <dd>
        <a href={`/d/${scan.device.code}`}>{scan.device.code}</a>
      </dd>
      <dt>Statut</dt>
      <dd>
        <span class="status" data-testid="device-status">
          {deviceStatusLabels[scan.device.status]}
        </span>
      </dd>
      <dt>Lieu</dt>
      <dd>{scan.site.name}</dd>
      <dt>N° de série</dt>
      <dd>{scan.device.serialNumber ?? 'non renseigné'}</dd>
    </dl>
    <h3>Derniers événements</h3>
    <ol class="timeline">
      {scan.lastEvents.map((event) => (
        <li>
          {dateTime(new Date(event.occurredAt))} — {event.type === 'move' ? 'Déplacé' : deviceStatusLabels[event.toStatus]}
        </li>
      ))}
    </ol>
    <Actions scan={scan} order={order} sites={sites} request={request} />
  </section>
);
