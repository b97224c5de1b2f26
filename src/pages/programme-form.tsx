import type { FC } from 'hono/jsx';
import { z } from 'zod';
import { createProgramme } from '../allocation/programmes.service.ts';
import type { trainingModuleChoices } from '../allocation/training-offer.ts';
import { programmeInput } from '../allocation/programmes.input.ts';
import { deviceKinds } from '../devices/devices.service.ts';
import { territoryOfCode } from '../geography/communes.ts';
import type { FormState } from './admin-forms.tsx';
import { attempt, Checkbox, errorFor, Field, formNumber, formValuesAs, optionsOf, parseForm, Select, type Option } from './forms.tsx';
import { criterionLabel, criterionLabels, deviceKindLabels } from './fr.ts';
import { CsrfField } from './layout.tsx';
import type { Viewer, DbOrTx } from './session.ts';

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

/** The territories typed in one field, separated by commas or spaces; a code of no known shape is refused here, the others by the module's schema. */
const territoriesTyped = z.string().transform((typed, context) => {
  const codes = [
    ...new Set(
      typed
        .toUpperCase()
        .split(/[\s,;]+/)
        .filter(Boolean),
    ),
  ];
  const unreadable = codes.filter((code) => !territoryOfCode(code));
  if (unreadable.length > 0) {
    context.addIssue({
      code: 'custom',
      message: `${unreadable.join(', ')}: not a territory code.`,
      params: {
        french: `${unreadable.join(', ')} : ni un département (47, 2A, 971), ni une commune (code INSEE à 5 caractères), ni un EPCI (SIREN à 9 chiffres).`,
      },
    });
    return z.NEVER;
  }
  return codes.map((code) => territoryOfCode(code)!);
});

const programmeForm = programmeInput.extend({ territories: territoriesTyped.pipe(programmeInput.shape.territories) });

/** Where each field of the module's schema is on the form (the page holds other forms). */
const programmeFormNames = {
  name: 'programmeName',
  eligibilityCriteria: 'programmeCriteria',
  deviceKinds: 'programmeDeviceKinds',
  'minimumSpecs.ramGb': 'programmeRamGb',
  trainingModuleId: 'programmeTrainingModuleId',
  reservationDays: 'programmeReservationDays',
  territories: 'programmeTerritories',
  yearlyQuota: 'programmeYearlyQuota',
};

export async function createProgrammeFromForm(db: DbOrTx, viewer: Viewer, fields: Record<string, string>, criteria: string[]) {
  const parsed = parseForm(
    programmeForm,
    {
      ...formValuesAs(fields, { name: 'programmeName', trainingModuleId: 'programmeTrainingModuleId' }),
      eligibilityCriteria: criteria.filter((criterion) => fields[criterionField(criterion)] === 'on'),
      deviceKinds: deviceKinds.filter((kind) => fields[deviceKindField(kind)] === 'on'),
      minimumSpecs: { ramGb: formNumber(fields.programmeRamGb) },
      trainingValidForLaterRequests: fields.programmeTrainingValid === 'on',
      reservationDays: formNumber(fields.programmeReservationDays),
      territories: fields.programmeTerritories ?? '',
      yearlyQuota: formNumber(fields.programmeYearlyQuota),
    },
    programmeFormNames,
  );
  if (!parsed.ok) return { ...parsed, status: 422 as const };
  return attempt(() => createProgramme(db, viewer, parsed.value), {}, programmeFormNames);
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
