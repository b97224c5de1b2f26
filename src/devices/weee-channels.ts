import type { FieldRefusal } from '../field-messages.ts';

/**
 * Where a recycled device goes: the WEEE (DEEE) channels, as a closed list so that recycled
 * devices can be counted by channel. Household IT and telecom equipment and screens are taken back
 * by the eco-organisations the State approves for that stream (Code de l'environnement, art.
 * L541-10 and R543-172 onwards): ecosystem and Ecologic; or through a municipal collection point
 * (déchetterie), which hands them on; or by a licensed WEEE treatment operator. Anything else is
 * `other`, and then its name is required (`deeeChannelName`; it may name the déchetterie or the
 * operator too).
 */
export const weeeChannels = ['ecosystem', 'ecologic', 'municipal_collection_point', 'licensed_treatment_operator', 'other'] as const;
export type WeeeChannel = (typeof weeeChannels)[number];

/** The longest channel name kept on the event. */
export const weeeChannelNameMax = 200;

const isWeeeChannel = (value: unknown): value is WeeeChannel => typeof value === 'string' && (weeeChannels as readonly string[]).includes(value);

/** Whether a → recycled payload names a channel at all (the lifecycle guard says so when it does not). */
export const namesWeeeChannel = (payload: Record<string, unknown>) =>
  payload.deeeChannel !== undefined && payload.deeeChannel !== null && payload.deeeChannel !== '';

/** What is wrong with the channel a → recycled payload names, field by field (`prefix`: where the payload sits in the body). */
export function weeeChannelProblems(payload: Record<string, unknown>, prefix = 'payload.'): FieldRefusal[] {
  const { deeeChannel: channel, deeeChannelName: name } = payload;
  const problems: FieldRefusal[] = [];
  if (!isWeeeChannel(channel)) {
    problems.push({
      path: `${prefix}deeeChannel`,
      message: `${JSON.stringify(channel)} is not a WEEE channel Boucle knows: one of ${weeeChannels.join(', ')} (other with deeeChannelName).`,
      french: 'Choisissez une des filières DEEE de la liste (ou « Autre » avec son nom).',
    });
  }
  const named = typeof name === 'string' && name.trim() !== '';
  if (name !== undefined && (typeof name !== 'string' || name.length > weeeChannelNameMax)) {
    problems.push({
      path: `${prefix}deeeChannelName`,
      message: `The channel's name is text of at most ${weeeChannelNameMax} characters.`,
      french: `Le nom de la filière tient en ${weeeChannelNameMax} caractères au plus.`,
    });
  } else if (channel === 'other' && !named) {
    problems.push({
      path: `${prefix}deeeChannelName`,
      message: 'Name the channel that takes the device when it is other (deeeChannelName).',
      french: 'Indiquez le nom de la filière quand elle est « Autre ».',
    });
  }
  return problems;
}
