import { Hono } from 'hono';
import { upcomingSessions } from '../allocation/training-offer.ts';
import { dateTime } from './fr.ts';
import { Layout } from './layout.tsx';
import { viewerOf, type PageEnv, type Database } from './session.ts';

/** The training sessions to come, across the network, with the places left: what a mediator books families on. */
export function sessionsPageRoutes(database: Database) {
  const { db } = database;
  return new Hono<PageEnv>().get('/sessions', async (c) => {
    const viewer = viewerOf(c, ['mediator', 'admin']);
    const sessions = await upcomingSessions(db);
    return c.html(
      <Layout title="Formations" viewer={viewer} current="/sessions">
        <h1>Sessions de formation à venir</h1>
        <p>Pour inscrire une famille, ouvrez sa demande une fois l’équipement réservé.</p>
        {sessions.length === 0 ? (
          <p>Aucune session n’est prévue pour le moment.</p>
        ) : (
          <table>
            <caption>Sessions à venir ({sessions.length})</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Formation</th>
                <th scope="col">Lieu</th>
                <th scope="col">Formateur ou formatrice</th>
                <th scope="col">Places restantes</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map(({ module, place, ...session }) => (
                <tr data-session-id={session.id}>
                  <th scope="row">{dateTime(session.startsAt)}</th>
                  <td>
                    {module.title} ({(Math.round(module.durationMinutes / 6) / 10).toLocaleString('fr-FR')} h)
                  </td>
                  <td>
                    {place.name}, {place.address}
                  </td>
                  <td>{session.trainerName}</td>
                  <td>{session.placesLeft === 0 ? 'Complète' : `${session.placesLeft} sur ${session.capacity}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Layout>,
    );
  });
}
