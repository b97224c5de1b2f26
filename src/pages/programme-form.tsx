import type { FC } from 'hono/jsx';
import { z } from 'zod';
import { createProgramme } from '../allocation/programmes.service.ts';
import type { trainingModuleChoices } from '../allocation/training-offer.ts';
import type { DbOrTx } from '../db/client.ts';
import { deviceKinds } from '../devices/devices.service.ts';
import { ValidationError, type FieldError } from '../errors.ts';
import { lookUpCommune, type Territory } from '../geography/communes.ts';
import { blankToUndefined, requiredText, type FormState } from './admin-forms.tsx';
import { attempt, Checkbox, errorFor, Field, optionsOf, parseForm, Select, type Option } from './forms.tsx';
import { criterionLabel, criterionLabels, deviceKindLabels } from './fr.ts';
import { CsrfField } from './layout.tsx';
import type { Viewer } from './session.ts';

/**
 * The coordinator's « Nouveau dispositif » form. Its fields are prefixed with `programme`, as it
 * shares /admin with the other forms; each ticked criterion or device kind is its own field
 * (`programmeCriterion-<key>`), since a posted form keeps one value per name.
 */

// The criteria fr.ts has words for; a criterion another programme already asks for is offered too.
export const criteriaToOffer = (programmes: { eligibilityCriteria: string[] }[]) => [
  ...new Set([...Object.keys(criterionLabels), ...programmes.flatMap((programme) => programme.eligibilityCriteria)]),
];

const criterionField = (criterion: string) => `programmeCriterion-${criterion}`;
const deviceKindField = (kind: string) => `programmeDeviceKind-${kind}`;

type TrainingModuleChoice = Awaited<ReturnType<typeof trainingModuleChoices>>[number];

/** A territory from its code alone: the INSEE and SIREN codes have distinct shapes. */
function territoryOf(code: string): Territory | undefined {
  if (/^[0-9]{9}$/.test(code)) return { type: 'epci', code };
  if (/^([0-9]{2}|2A|2B)[0-9]{3}$/.test(code)) return { type: 'commune', code };
  if (/^([0-9]{2,3}|2A|2B)$/.test(code)) return { type: 'departement', code };
  return undefined;
}

const territoriesField = z.string().transform((text, ctx): Territory[] => {
  const codes = [
    ...new Set(
      text
        .toUpperCase()
        .split(/[\s,;]+/)
        .filter(Boolean),
    ),
  ];
  const unreadable = codes.filter((code) => !territoryOf(code));
  const problem =
    codes.length === 0
      ? 'Indiquez au moins un territoire : un département, une commune ou un EPCI.'
      : unreadable.length > 0
        ? `${unreadable.join(', ')} : ni un département (47, 2A, 971), ni une commune (code INSEE à 5 caractères), ni un EPCI (SIREN à 9 chiffres).`
        : codes.length > 500
          ? '500 territoires au plus.'
          : undefined;
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return codes.map((code) => territoryOf(code)!);
});

const wholeNumber = (min: number, max: number, message: string) =>
  z
    .string()
    .trim()
    .regex(/^[0-9]+$/, message)
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message));
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

/** The form's schema, the same bounds as the API's (allocation.routes.ts); the ticked boxes are read into lists first. */
const programmeForm = (criteria: string[]) =>
  z.preprocess(
    (fields: Record<string, string>) => ({
      ...fields,
      programmeName: fields.programmeName ?? '',
      programmeReservationDays: fields.programmeReservationDays ?? '',
      programmeTerritories: fields.programmeTerritories ?? '',
      programmeCriteria: criteria.filter((criterion) => fields[criterionField(criterion)] === 'on'),
      programmeDeviceKinds: deviceKinds.filter((kind) => fields[deviceKindField(kind)] === 'on'),
      programmeTrainingValid: fields.programmeTrainingValid === 'on',
    }),
    z.object({
      programmeName: requiredText(200, 'Indiquez le nom du dispositif.'),
      programmeCriteria: z.array(z.string()).min(1, 'Cochez au moins un critère à attester.').max(20, '20 critères au plus.'),
      programmeDeviceKinds: z.array(z.enum(deviceKinds)).min(1, 'Cochez au moins un type d’équipement.'),
      programmeRamGb: optional(
        z
          .string()
          .trim()
          .transform((value) => value.replace(',', '.'))
          .pipe(z.string().regex(/^[0-9]+(\.[0-9]+)?$/, 'Une quantité en Go, par exemple 4.'))
          .transform(Number)
          .pipe(z.number().positive('Une quantité en Go, par exemple 4.').max(1024, '1024 Go au plus.')),
      ),
      programmeTrainingModuleId: optional(z.uuid('Choisissez une formation dans la liste.')),
      programmeReservationDays: wholeNumber(1, 365, 'Un nombre entier de jours, de 1 à 365.'),
      programmeTerritories: territoriesField,
      programmeYearlyQuota: optional(wholeNumber(1, 1_000_000, 'Un nombre entier d’équipements, de 1 à 1 000 000.')),
      programmeTrainingValid: z.boolean(),
    }),
  );

/** Why the official geography refuses a territory, in French (the domain says it in English). */
function territoryProblem(territory: Territory) {
  if (territory.type === 'commune') {
    const lookup = lookUpCommune(territory.code);
    return lookup.ok ? `${territory.code} n’est pas le code INSEE d’une commune actuelle.` : lookup.french;
  }
  if (territory.type === 'epci') return `${territory.code} n’est le SIREN d’aucun EPCI.`;
  return `${territory.code} n’est pas le code d’un département.`;
}

/** The domain's refusals, moved onto the form's fields: every unknown territory goes next to the territories field. */
const refusalsAsFields =
  (territories: Territory[]) =>
  (error: unknown): never => {
    if (!(error instanceof ValidationError)) throw error;
    const territoryErrors = error.errors.flatMap((field) => {
      const index = field.path.match(/^territories\.(\d+)/)?.[1];
      const territory = index === undefined ? undefined : territories[Number(index)];
      return territory ? [territoryProblem(territory)] : [];
    });
    const others: FieldError[] = error.errors
      .filter((field) => !/^territories\./.test(field.path))
      .map((field) =>
        field.path === 'trainingModuleId'
          ? { path: 'programmeTrainingModuleId', message: 'Cette formation n’existe pas : choisissez-en une dans la liste.' }
          : field,
      );
    throw new ValidationError([...(territoryErrors.length > 0 ? [{ path: 'programmeTerritories', message: territoryErrors.join(' ') }] : []), ...others]);
  };

export async function createProgrammeFromForm(db: DbOrTx, viewer: Viewer, fields: Record<string, string>, criteria: string[]) {
  const parsed = parseForm(programmeForm(criteria), fields);
  if (!parsed.ok) return { ...parsed, status: 422 as const };
  const input = parsed.value;
  return attempt(() =>
    createProgramme(db, viewer, {
      name: input.programmeName,
      eligibilityCriteria: input.programmeCriteria,
      deviceKinds: input.programmeDeviceKinds,
      minimumSpecs: input.programmeRamGb === undefined ? {} : { ramGb: input.programmeRamGb },
      trainingModuleId: input.programmeTrainingModuleId,
      trainingValidForLaterRequests: input.programmeTrainingValid,
      reservationDays: input.programmeReservationDays,
      territories: input.programmeTerritories,
      yearlyQuota: input.programmeYearlyQuota,
    }).catch(refusalsAsFields(input.programmeTerritories)),
  );
}

/** Checkboxes under one legend; the error, when none is ticked, is the group's. */
const CheckboxGroup: FC<{
  name: string;
  legend: string;
  options: Option[];
  fieldOf: (value: string) => string;
  fields?: Record<string, string>;
  error?: string;
}> = (props) => {
  const id = `champ-${props.name}`;
  return (
    <fieldset id={id} tabindex={-1} class={props.error ? 'field invalid' : 'field'} aria-describedby={props.error ? `${id}-erreur` : undefined}>
      <legend>
        {props.legend}
        <span aria-hidden="true"> *</span>
      </legend>
      {props.options.map((option) => (
        <Checkbox name={props.fieldOf(option.value)} label={option.label} checked={props.fields?.[props.fieldOf(option.value)] === 'on'} />
      ))}
      {props.error ? (
        <p class="error" id={`${id}-erreur`}>
          {props.error}
        </p>
      ) : null}
    </fieldset>
  );
};

type ProgrammeFormProps = FormState & { viewer: Viewer; criteria: string[]; modules: TrainingModuleChoice[] };

/** A fresh form (no `fields`) starts with a 21-day reservation and a training that stays valid, as the API does. */
export const ProgrammeForm: FC<ProgrammeFormProps> = ({ viewer, criteria, modules, fields, errors }) => (
  <form method="post" action="/admin/programmes" novalidate>
    <CsrfField viewer={viewer} />
    <Field name="programmeName" label="Nom du dispositif" required value={fields?.programmeName} error={errorFor(errors, 'programmeName')} />
    <CheckboxGroup
      name="programmeCriteria"
      legend="Critères que le médiateur atteste pour la famille"
      options={criteria.map((criterion) => ({ value: criterion, label: criterionLabel(criterion) }))}
      fieldOf={criterionField}
      fields={fields}
      error={errorFor(errors, 'programmeCriteria')}
    />
    <CheckboxGroup
      name="programmeDeviceKinds"
      legend="Équipements attribués"
      options={optionsOf(deviceKinds, deviceKindLabels)}
      fieldOf={deviceKindField}
      fields={fields}
      error={errorFor(errors, 'programmeDeviceKinds')}
    />
    <Field
      name="programmeRamGb"
      label="Mémoire vive minimale (Go)"
      hint="Facultatif."
      type="number"
      min="1"
      value={fields?.programmeRamGb}
      error={errorFor(errors, 'programmeRamGb')}
    />
    <Select
      name="programmeTrainingModuleId"
      label="Formation à suivre avant la remise"
      empty="Aucune formation"
      value={fields?.programmeTrainingModuleId}
      error={errorFor(errors, 'programmeTrainingModuleId')}
      options={modules.map((module) => ({ value: module.id, label: `${module.title} (${module.durationMinutes} min)` }))}
    />
    <Checkbox
      name="programmeTrainingValid"
      label="Une formation déjà suivie vaut pour les demandes suivantes de la famille"
      checked={fields ? fields.programmeTrainingValid === 'on' : true}
    />
    <Field
      name="programmeReservationDays"
      label="Durée de réservation (jours)"
      hint="Combien de jours un équipement reste réservé pour la famille, de 1 à 365."
      type="number"
      min="1"
      max="365"
      step="1"
      required
      value={fields ? fields.programmeReservationDays : '21'}
      error={errorFor(errors, 'programmeReservationDays')}
    />
    <Field
      name="programmeTerritories"
      label="Territoires"
      hint="Codes séparés par des virgules ou des espaces : département (47, 2A, 971), commune (code INSEE à 5 caractères, 47001) ou EPCI (SIREN à 9 chiffres)."
      required
      value={fields?.programmeTerritories}
      error={errorFor(errors, 'programmeTerritories')}
    />
    <Field
      name="programmeYearlyQuota"
      label="Quota annuel d’équipements"
      hint="Facultatif : sans quota, pas de limite."
      type="number"
      min="1"
      step="1"
      value={fields?.programmeYearlyQuota}
      error={errorFor(errors, 'programmeYearlyQuota')}
    />
    <button type="submit">Créer le dispositif</button>
  </form>
);
