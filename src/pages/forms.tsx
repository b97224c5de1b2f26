import type { FC } from 'hono/jsx';
import type { z } from 'zod';
import { DomainError, ValidationError, type FieldError } from '../errors.ts';
import { parseInFrench } from '../field-messages.ts';
import { refusalInFrench } from '../http/problem-fr.ts';
import { PageRefusal } from './session.ts';

/** Form controls beside layout.tsx's `Field`, with the same ids (`champ-<name>`) and error wiring. */
const idOf = (name: string) => `champ-${name.replace(/[^\w-]/g, '-')}`;
const describedBy = (id: string, hint?: string, error?: string) =>
  [hint ? `${id}-aide` : '', error ? `${id}-erreur` : ''].filter(Boolean).join(' ') || undefined;

const Hint: FC<{ id: string; hint?: string }> = ({ id, hint }) =>
  hint ? (
    <p class="hint" id={`${id}-aide`}>
      {hint}
    </p>
  ) : null;

const ErrorText: FC<{ id: string; error?: string }> = ({ id, error }) =>
  error ? (
    <p class="error" id={`${id}-erreur`}>
      {error}
    </p>
  ) : null;

export type Option = { value: string; label: string };

type FrameProps = { name: string; label: string; required?: boolean; error?: string; hint?: string };

/** A field's frame: its label, hint and, when the server refused it, the reason, wired for screen readers. */
const FieldFrame: FC<FrameProps & { control: (wiring: { id: string; 'aria-invalid'?: 'true'; 'aria-describedby'?: string }) => unknown }> = (props) => {
  const id = idOf(props.name);
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label for={id}>
        {props.label}
        {props.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      <Hint id={id} hint={props.hint} />
      {props.control({ id, 'aria-invalid': props.error ? 'true' : undefined, 'aria-describedby': describedBy(id, props.hint, props.error) })}
      <ErrorText id={id} error={props.error} />
    </div>
  );
};

export const Field: FC<FrameProps & { type?: string; value?: string | number; autocomplete?: string; min?: string; max?: string; step?: string }> = (props) => (
  <FieldFrame
    {...props}
    control={(wiring) => (
      <input
        {...wiring}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value === undefined ? undefined : String(props.value)}
        required={props.required}
        autocomplete={props.autocomplete}
        min={props.min}
        max={props.max}
        step={props.step ?? (props.type === 'number' ? 'any' : undefined)}
      />
    )}
  />
);

/** `number`: the scan station's script sends the chosen value as a number. `groups`: options under headings, after `options`. */
export const Select: FC<
  FrameProps & { options: Option[]; groups?: { label: string; options: Option[] }[]; value?: string; empty?: string; number?: boolean }
> = (props) => {
  const optionsOf = (options: Option[]) =>
    options.map((option) => (
      <option value={option.value} selected={option.value === props.value}>
        {option.label}
      </option>
    ));
  return (
    <FieldFrame
      {...props}
      control={(wiring) => (
        <select {...wiring} name={props.name} required={props.required} data-number={props.number ? '' : undefined}>
          {props.empty !== undefined ? <option value="">{props.empty}</option> : null}
          {optionsOf(props.options)}
          {(props.groups ?? []).map((group) => (group.options.length > 0 ? <optgroup label={group.label}>{optionsOf(group.options)}</optgroup> : null))}
        </select>
      )}
    />
  );
};

export const TextArea: FC<FrameProps & { value?: string }> = (props) => (
  <FieldFrame
    {...props}
    control={(wiring) => (
      <textarea {...wiring} name={props.name} rows={4} required={props.required}>
        {props.value ?? ''}
      </textarea>
    )}
  />
);

/** Options from a list of values and their labels. */
export const optionsOf = (values: readonly string[], labels: Record<string, string> = {}): Option[] =>
  values.map((value) => ({ value, label: labels[value] ?? value }));

/** A checkbox with its label after it; `error` for one that must be ticked. */
export const Checkbox: FC<{ name: string; label: string; checked?: boolean; error?: string }> = (props) => {
  const id = idOf(props.name);
  return (
    <div class={props.error ? 'field check invalid' : 'field check'}>
      <input
        type="checkbox"
        id={id}
        name={props.name}
        value="on"
        checked={props.checked}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(id, undefined, props.error)}
      />{' '}
      <label for={id}>{props.label}</label>
      <ErrorText id={id} error={props.error} />
    </div>
  );
};

/**
 * Checkboxes of one name under a legend, one per value (the form posts every ticked value: read
 * it with `postedBody(c, { all: true })`); the group's error, and its parts' (`services.2`), below it.
 */
export const CheckboxList: FC<{ name: string; id?: string; legend: string; hint?: string; options: Option[]; checked: readonly string[]; error?: string }> = (
  props,
) => {
  const id = idOf(props.id ?? props.name);
  return (
    <fieldset id={id} tabindex={-1} class={props.error ? 'field invalid' : 'field'} aria-describedby={describedBy(id, props.hint, props.error)}>
      <legend>{props.legend}</legend>
      <Hint id={id} hint={props.hint} />
      {props.options.map((option, index) => (
        <div class="check">
          <input type="checkbox" id={`${id}-${index}`} name={props.name} value={option.value} checked={props.checked.includes(option.value)} />{' '}
          <label for={`${id}-${index}`}>{option.label}</label>
        </div>
      ))}
      <ErrorText id={id} error={props.error} />
    </fieldset>
  );
};

/** The values a list's checkboxes posted (one or several), from a body read with `all`. */
export const postedList = (body: Record<string, unknown>, name: string): string[] => {
  const value = Object.hasOwn(body, name) ? body[name] : undefined;
  return (Array.isArray(value) ? value : [value]).filter((entry): entry is string => typeof entry === 'string');
};

/** What a field shows of the refusals: its own and those of its parts (each item of a list), together. */
export const errorFor = (errors: FieldError[] | undefined, path: string) =>
  errors
    ?.filter((error) => error.path === path || error.path.startsWith(`${path}.`))
    .map((error) => error.message)
    .join(' ') || undefined;

/** A schema field's name on a form: `formNames` maps its full path, or its head (`need` for `need.kind`), to the form's name. */
const onForm = (formNames: Record<string, string>) => (path: string) => {
  if (Object.hasOwn(formNames, path)) return formNames[path]!;
  const [head = '', ...rest] = path.split('.');
  return [Object.hasOwn(formNames, head) ? formNames[head] : head, ...rest].join('.');
};

/**
 * A form's fields as typed, or every bad field with its message in French (the module's schema or
 * the page's own). `formNames` gives the form's name of a schema field named otherwise on the
 * page (pages that hold two forms keep their fields apart), so each refusal lands on its field.
 */
export function parseForm<T extends z.ZodType>(schema: T, input: Record<string, unknown>, formNames: Record<string, string> = {}) {
  const parsed = parseInFrench(schema, input);
  if (parsed.ok) return parsed;
  const named = onForm(formNames);
  return { ok: false as const, errors: parsed.errors.map((error) => ({ ...error, path: named(error.path) })) };
}

/**
 * The fields of a posted form a module's input schema reads, a field left blank being absent.
 * `formNames` maps each schema field to its form field where the page names it otherwise.
 */
export const formValuesAs = (fields: Record<string, string>, formNames: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(formNames).flatMap(([name, formName]) =>
      Object.hasOwn(fields, formName) && fields[formName]!.trim() !== '' ? [[name, fields[formName]!]] : [],
    ),
  );

/** The same, for fields the form and the schema name alike. */
export const formValues = (fields: Record<string, string>, names: readonly string[]) =>
  formValuesAs(fields, Object.fromEntries(names.map((name) => [name, name])));

/** A number typed in a form, for a schema that takes a number: blank is absent, anything else is read as typed. */
export const formNumber = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : Number(value.trim().replace(',', '.')));

/** What a posted form gets back when the domain refuses it: the fields to fix (422) or the reason (409). */
export type Refusal = { status: 422 | 409; errors: FieldError[]; detail?: string };

/**
 * Runs a domain function for a form: a validation error becomes the fields to show again (in
 * French, or as `french` words it for a field), each on its form field (`formNames`, as for
 * `parseForm`), a 409 its reason; anything else goes to the error page.
 */
export async function attempt<T>(
  action: () => Promise<T>,
  french: Record<string, string> = {},
  formNames: Record<string, string> = {},
): Promise<{ ok: true; value: T } | ({ ok: false } & Refusal)> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    if (error instanceof ValidationError) {
      const named = onForm(formNames);
      return {
        ok: false,
        status: 422,
        errors: error.inFrench().map((field) => ({
          path: named(field.path),
          message: (Object.hasOwn(french, field.path) ? french[field.path] : undefined) ?? field.message,
        })),
      };
    }
    if (error instanceof DomainError && error.status === 409) return { ok: false, status: 409, errors: [], detail: refusalInFrench(error) };
    throw error;
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string | undefined): value is string => value !== undefined && uuidPattern.test(value);

/** Runs a lookup of a record by id; a missing or hidden one (or a malformed id) is a French 404 page. */
export async function found<T>(id: string, what: string, lookup: (id: string) => Promise<T>): Promise<T> {
  if (!isUuid(id)) throw new PageRefusal(404, `${what} n’existe pas ou ne vous est pas accessible.`);
  try {
    return await lookup(id);
  } catch (error) {
    if (error instanceof DomainError && error.status === 404) throw new PageRefusal(404, `${what} n’existe pas ou ne vous est pas accessible.`);
    throw error;
  }
}
