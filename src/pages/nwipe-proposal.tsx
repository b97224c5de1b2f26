import type { FC } from 'hono/jsx';
import type { StorageMedium } from '../devices/devices.service.ts';
import type { readNwipeLogForDevice } from '../wiping/nwipe-import.ts';
import type { WipeInput } from '../wiping/wiping.service.ts';
import { dateTime, wipeResultLabels } from './fr.ts';
import { Select } from './forms.tsx';
import { ApiForm } from './scan-card.tsx';

type Proposal = Awaited<ReturnType<typeof readNwipeLogForDevice>>;
type LogRecord = Omit<WipeInput, 'mediumIndex'>;

const mediumName = (medium: StorageMedium, index: number) =>
  [`Support n° ${index + 1} :`, medium.type.toUpperCase(), medium.model, medium.serialNumber].filter(Boolean).join(' ');

/**
 * The record read from the log, carried as it is to POST /api/devices/{code}/wipes: the operator
 * checks it and, for a drive the log gives no serial for, says which medium it is.
 */
const RecordFields: FC<{ index: number; record: LogRecord }> = ({ index, record }) => {
  const fields: [keyof LogRecord, string | number | undefined][] = [
    ['level', record.level],
    ['technique', record.technique],
    ['passes', record.passes],
    ['pattern', record.pattern],
    ['toolName', record.toolName],
    ['toolVersion', record.toolVersion],
    ['verification', record.verification],
    ['result', record.result],
    ['failureReason', record.failureReason],
    ['startedAt', record.startedAt.toISOString()],
    ['endedAt', record.endedAt.toISOString()],
  ];
  return (
    <>
      <p>
        {wipeResultLabels[record.result]} — {record.pattern ?? record.technique}, du {dateTime(record.startedAt)} au {dateTime(record.endedAt)}
      </p>
      {fields.map(([name, value]) =>
        value === undefined ? null : (
          <input type="hidden" name={`records.${index}.${name}`} value={String(value)} data-number={typeof value === 'number' ? '' : undefined} />
        ),
      )}
    </>
  );
};

/** The wipe records an nwipe or ShredOS log gives for the scanned device, to confirm in one click. */
export const NwipeProposal: FC<{ code: string; media: StorageMedium[]; proposal: Proposal }> = ({ code, media, proposal }) => {
  const toMatch = proposal.unmatched.flatMap((entry) => ('record' in entry ? [entry] : []));
  const otherSerials = proposal.unmatched.flatMap((entry) => ('record' in entry ? [] : [entry]));
  const records = proposal.proposals.length + toMatch.length;
  return (
    <div data-testid="nwipe-proposal-result">
      {records > 0 ? (
        <ApiForm
          method="POST"
          path={`/api/devices/${code}/wipes`}
          extra={{ logFileId: proposal.logFileId }}
          testid="nwipe-confirm-form"
          label="Enregistrer ces effacements"
        >
          <h3>Effacements lus dans le journal</h3>
          {proposal.proposals.map((entry, index) => (
            <fieldset>
              <legend>
                {entry.drive} → {mediumName(media[entry.record.mediumIndex]!, entry.record.mediumIndex)}
              </legend>
              <input type="hidden" name={`records.${index}.mediumIndex`} value={String(entry.record.mediumIndex)} data-number="" />
              <RecordFields index={index} record={entry.record} />
            </fieldset>
          ))}
          {toMatch.map((entry, position) => {
            const index = proposal.proposals.length + position;
            return (
              <fieldset data-testid="nwipe-drive-to-match">
                <legend>{entry.drive}</legend>
                <p class="notice warn">
                  Le journal ne donne pas de numéro de série pour ce disque, que nwipe dit {entry.record.result === 'passed' ? 'effacé' : 'en échec'} : indiquez
                  quel support de l’équipement il est.
                </p>
                <Select
                  name={`records.${index}.mediumIndex`}
                  label="Support effacé"
                  options={entry.mediumIndexes.map((mediumIndex) => ({ value: String(mediumIndex), label: mediumName(media[mediumIndex]!, mediumIndex) }))}
                  required
                  number
                  empty="— choisir —"
                />
                <RecordFields index={index} record={entry.record} />
              </fieldset>
            );
          })}
        </ApiForm>
      ) : null}
      {otherSerials.map((entry) => (
        <p class="notice warn">
          {entry.drive} : aucun support de cet équipement n’a le numéro de série {entry.serial}.
        </p>
      ))}
      {proposal.unreadable.map((entry) => (
        <p class="notice warn">
          {entry.drive} : le journal ne montre pas comment l’effacement s’est terminé ({entry.reasons.join(' ')}).
        </p>
      ))}
    </div>
  );
};
