import type { Role } from './auth/roles.ts';
import { DomainError } from './errors.ts';
import { inSentence } from './text.ts';

/**
 * What every status machine of Boucle shares (devices, equipment requests, Wi-Fi deployments,
 * apartments, incidents): a table of transitions modelled on the device lifecycle, the guards that
 * must hold, and the one body a refused move answers with; `db/compare-and-set.ts` writes the move.
 */

/** What a person reads, in the two languages Boucle speaks: English in the API, French on the pages. */
export type Words = { en: string; fr: string };

export type StatusTransition<Status extends string, Guard extends string = never> = {
  from: readonly Status[];
  to: Status;
  /** Each must hold for the move to happen; every one is checked, and every failure told. */
  guards: readonly Guard[];
  /** Who may make the move, where the table says it (otherwise the module's own rights decide). */
  roles?: readonly Role[];
  /** What the person does, for buttons and messages. */
  action: string;
  /** A way out of a suspension, taken only back to the status the thing was suspended from. */
  resumes?: true;
};

/** Where a thing stands: its status, and when it is suspended, the status it was suspended from. */
export type Standing<Status extends string> = { status: Status; suspendedFrom?: Status | null };

/** The rows of the table a thing may take from where it stands. */
export function transitionsFrom<Status extends string, Row extends StatusTransition<Status, string>>(table: readonly Row[], current: Standing<Status>): Row[] {
  return table.filter((transition) => transition.from.includes(current.status) && (!transition.resumes || transition.to === current.suspendedFrom));
}

export function findTransition<Status extends string, Row extends StatusTransition<Status, string>>(
  table: readonly Row[],
  current: Standing<Status>,
  to: Status,
): Row | undefined {
  return transitionsFrom(table, current).find((transition) => transition.to === to);
}

export function nextStatuses<Status extends string>(table: readonly StatusTransition<Status, string>[], current: Standing<Status>): Status[] {
  return [...new Set(transitionsFrom(table, current).map((transition) => transition.to))];
}

/** Null when the guard holds, otherwise why not, in words for the person who tried. */
export type Guard<Context> = (context: Context) => Promise<Words | null> | Words | null;

/**
 * A guard that answers for many things in one query (a batch of reservations): the same rule for
 * one thing and for a thousand, so a batch never checks less than a single step.
 */
export type SetGuard<Context> = { forEach: (contexts: readonly Context[]) => Promise<(Words | null)[]> };

export type AnyGuard<Context> = Guard<Context> | SetGuard<Context>;

export type FailedGuard<Name extends string = string> = { guard: Name; reason: Words };

/** Every guard of the list that does not hold, with its reason: a person fixes them all at once, not one refusal at a time. */
export async function failedGuards<Name extends string, Context>(
  guards: Record<Name, AnyGuard<Context>>,
  names: readonly Name[],
  context: Context,
): Promise<FailedGuard<Name>[]> {
  const [failed] = await failedGuardsOfEach(guards, [{ names, context }]);
  return failed!;
}

/**
 * failedGuards for many things at once, each with its own list of guards: a set-wise guard is asked
 * once for all the things that need it, any other one thing after another.
 */
export async function failedGuardsOfEach<Name extends string, Context>(
  guards: Record<Name, AnyGuard<Context>>,
  checks: readonly { names: readonly Name[]; context: Context }[],
): Promise<FailedGuard<Name>[][]> {
  const failed: FailedGuard<Name>[][] = checks.map(() => []);
  const wanted = [...new Set(checks.flatMap((check) => check.names))];
  for (const name of wanted) {
    const guard = guards[name];
    const asking = checks.flatMap((check, index) => (check.names.includes(name) ? [index] : []));
    const contexts = asking.map((index) => checks[index]!.context);
    const reasons: (Words | null)[] = [];
    if (typeof guard === 'function') for (const context of contexts) reasons.push(await guard(context));
    else reasons.push(...(await guard.forEach(contexts)));
    for (const [position, index] of asking.entries()) {
      const reason = reasons[position];
      if (reason) failed[index]!.push({ guard: name, reason });
    }
  }
  return failed;
}

/**
 * The members every refused move answers with, whatever moved: the status it is in and where it
 * can go from there; a thing may add its own (a device its asset code).
 */
export type RefusalMembers = { currentStatus: string; allowedNextStatuses: readonly string[]; [member: string]: unknown };

/** A move the table does not allow from the current status (409 `transition_not_allowed`). */
export function transitionNotAllowed(members: RefusalMembers, words: Words): DomainError {
  return new DomainError(409, 'transition_not_allowed', words.en, members, { detail: words.fr, details: members });
}

/** A move whose guards do not hold (409 `guard_failed`), listing each failed guard with its reason. */
export function guardsFailed(members: RefusalMembers, failed: readonly FailedGuard[]): DomainError {
  const inLanguage = (language: keyof Words) => ({
    detail: failed.map((failure) => failure.reason[language]).join(' '),
    details: { ...members, failedGuards: failed.map((failure) => ({ guard: failure.guard, reason: failure.reason[language] })) },
  });
  const english = inLanguage('en');
  return new DomainError(409, 'guard_failed', english.detail, english.details, inLanguage('fr'));
}

/** "Impossible depuis le statut « collecté » ; possible : …": a move not allowed, with the statuses as the pages name them. */
export function notAllowedInFrench<Status extends string>(labels: Record<Status, string>, from: Status, next: readonly Status[]): string {
  const named = (status: Status) => inSentence(labels[status]);
  return `Impossible depuis le statut « ${named(from)} »${next.length > 0 ? ` ; possible : ${next.map(named).join(', ')}` : ''}.`;
}
