import type { FC } from 'hono/jsx';
import type { NearestPlaces as Nearest } from '../places/nearest.ts';
import type { PlaceNeed } from '../places/places.types.ts';

/** What the reader of a device's card may be looking for, in the order they are offered. */
const offered: { need: PlaceNeed; question: string }[] = [
  { need: 'learn', question: 'Pour apprendre à vous servir d’un ordinateur' },
  { need: 'give', question: 'Pour donner un ordinateur dont vous ne vous servez plus' },
  { need: 'get', question: 'Pour obtenir un ordinateur à prix solidaire' },
];

const slugOf: Record<PlaceNeed, string> = { give: 'donner', get: 'obtenir', learn: 'se-former' };

/** The nearest places for each need (by commune: the same, its EPCI, its département, then anywhere), with the way to the others. */
export const NearestPlaces: FC<{ nearest: Nearest }> = ({ nearest }) => {
  const found = offered.filter(({ need }) => nearest[need]);
  if (found.length === 0) return null;
  return (
    <section data-testid="nearest-places" aria-labelledby="lieux-proches">
      <h2 id="lieux-proches">Près d’ici</h2>
      <ul>
        {found.map(({ need, question }) => {
          const place = nearest[need]!;
          return (
            <li data-need={need}>
              {question} : <a href={`/lieux/${place.id}`}>{place.name}</a>, {place.address}, {[place.postalCode, place.commune].filter(Boolean).join(' ')} (
              <a href={`/lieux?besoin=${slugOf[need]}`}>les autres lieux</a>)
            </li>
          );
        })}
      </ul>
    </section>
  );
};
