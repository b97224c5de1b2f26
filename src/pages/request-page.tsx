import type { Context } from 'hono';
import { Hono } from 'hono';
import { requestOverview } from '../allocation/request-overview.ts';
import { holdingStatuses, type RequestStatus } from '../allocation/requests.lifecycle.ts';
import { reserveForRequest } from '../allocation/reservations.service.ts';
import { enrolRequest } from '../allocation/training.service.ts';
import { formatAssetCode } from '../devices/asset-code.ts';
import type { FieldError } from '../errors.ts';
import { attempt, errorFor, found, isUuid } from './forms.tsx';
import { dateTime, deviceKindLabels, longDate, requestReasonInFrench, requestStatusLabels } from './fr.ts';
import { CsrfField, ErrorSummary, Layout } from './layout.tsx';
import { postedForm, viewerOf, type PageEnv, type Viewer, type Database } from './session.ts';
import { seeOther } from './redirect.ts';

type State = { errors?: FieldError[]; detail?: string };
const roles = ['mediator', 'admin'] as const;
const holds = (status: RequestStatus) => (holdingStatuses as readonly RequestStatus[]).includes(status);

/** Everything the page of one request shows, read with the viewer's rights; an id of no request of theirs is a 404 page. */
const loadRequest = (database: Database, viewer: Viewer, id: string) =>
  found(id, 'Cette demande', (requestId) => requestOverview(database.db, viewer, requestId));

function RequestView({ viewer, data, errors, detail }: State & { viewer: Viewer; data: Awaited<ReturnType<typeof loadRequest>> }) {
  const { request, household, programme, device, enrolment, handover, module, sessions } = data;
  const reason = requestReasonInFrench(request.statusReason);
  const code = device ? formatAssetCode(device.assetCode) : undefined;
  return (
    <Layout title={`Demande ${household.reference}`} viewer={viewer} current="/requests">
      <h1>Demande d’équipement de la famille {household.reference}</h1>
      <ErrorSummary errors={errors ?? []} />
      {detail ? <p class="notice bad">{detail}</p> : null}
      <dl class="facts">
        <dt>Statut</dt>
        <dd>
          <span class="status" data-testid="request-status">
            {requestStatusLabels[request.status]}
          </span>
        </dd>
        {reason ? (
          <>
            <dt>Motif</dt>
            <dd>{reason}</dd>
          </>
        ) : null}
        <dt>Dispositif</dt>
        <dd>{programme.name}</dd>
        <dt>Besoin</dt>
        <dd>
          {deviceKindLabels[request.need.kind]}
          {request.need.minRamGb ? `, ${request.need.minRamGb} Go de mémoire vive au moins` : ''}
        </dd>
        {device && code && holds(request.status) ? (
          <>
            <dt>Équipement</dt>
            <dd data-testid="reserved-device">
              Réservé : <a href={`/d/${code}`}>{code}</a> ({deviceKindLabels[device.kind]} {device.brand} {device.model}
              {device.grade ? `, grade ${device.grade}` : ''})
            </dd>
            <dt>Réservé jusqu’au</dt>
            <dd>{request.reservedUntil ? longDate(request.reservedUntil) : '—'}</dd>
          </>
        ) : null}
        {module ? (
          <>
            <dt>Formation obligatoire</dt>
            <dd>
              {module.title}
              {enrolment
                ? ` : session du ${dateTime(enrolment.startsAt)} à ${enrolment.site} (${enrolment.status === 'present' ? 'présente' : enrolment.status === 'absent' ? 'absente' : 'inscrite'})`
                : ''}
            </dd>
          </>
        ) : null}
        <dt>Remise</dt>
        <dd>
          {handover
            ? `Remis le ${dateTime(handover.handedOverAt)} à ${handover.receivedByName}${code ? ` (équipement ${code})` : ''}`
            : request.status === 'training_completed'
              ? 'Prête : remettez l’équipement à la famille au poste de scan.'
              : 'Pas encore remis.'}
        </dd>
      </dl>
      {request.status === 'eligible' ? (
        <form method="post" action={`/requests/${request.id}/reserve`}>
          <CsrfField viewer={viewer} />
          <p>La famille est éligible : Boucle choisit le meilleur équipement en stock, au plus près de chez elle.</p>
          <button type="submit" class="big">
            Réserver un équipement
          </button>
        </form>
      ) : null}
      {request.status === 'reserved' && module ? (
        <section aria-labelledby="formation">
          <h2 id="formation">Inscrire la famille à une session de formation</h2>
          {sessions.length === 0 ? (
            <p class="notice warn">Aucune session de cette formation n’est prévue pour le moment.</p>
          ) : (
            <form method="post" action={`/requests/${request.id}/enrol`} novalidate>
              <CsrfField viewer={viewer} />
              <fieldset
                class={errorFor(errors, 'sessionId') ? 'field invalid' : 'field'}
                aria-describedby={errorFor(errors, 'sessionId') ? 'champ-sessionId-erreur' : undefined}
              >
                <legend>Session</legend>
                {sessions.map((session, index) => (
                  <div class="check">
                    <input
                      type="radio"
                      name="sessionId"
                      value={session.id}
                      id={index === 0 ? 'champ-sessionId' : `session-${session.id}`}
                      disabled={session.placesLeft === 0}
                    />{' '}
                    <label for={index === 0 ? 'champ-sessionId' : `session-${session.id}`}>
                      {dateTime(session.startsAt)}, {session.place.name}, avec {session.trainerName} :{' '}
                      {session.placesLeft === 0
                        ? 'complète'
                        : `${session.placesLeft} place${session.placesLeft > 1 ? 's' : ''} restante${session.placesLeft > 1 ? 's' : ''}`}
                    </label>
                  </div>
                ))}
                {errorFor(errors, 'sessionId') ? (
                  <p class="error" id="champ-sessionId-erreur">
                    {errorFor(errors, 'sessionId')}
                  </p>
                ) : null}
              </fieldset>
              <button type="submit">Inscrire la famille</button>
            </form>
          )}
        </section>
      ) : null}
      <h2>Historique</h2>
      <ol class="timeline">
        {request.history.map((event) => (
          <li>
            {dateTime(event.occurredAt)} : {requestStatusLabels[event.toStatus]}
            {event.reason ? ` (${requestReasonInFrench(event.reason)})` : ''}
          </li>
        ))}
      </ol>
      <p>
        <a href="/requests">Retour aux demandes</a>
      </p>
    </Layout>
  );
}

/** One request's progress: status, the device held, the training to book, the handover; reserve and enrol from it. */
export function requestPageRoutes(database: Database, appSecret: string) {
  const { db } = database;
  const show = async (c: Context<PageEnv>, viewer: Viewer, state: State = {}, status: 200 | 409 | 422 = 200) =>
    c.html(<RequestView viewer={viewer} data={await loadRequest(database, viewer, c.req.param('id')!)} {...state} />, status);
  return new Hono<PageEnv>()
    .get('/requests/:id', (c) => show(c, viewerOf(c, roles)))
    .post('/requests/:id/reserve', async (c) => {
      const viewer = viewerOf(c, roles);
      await postedForm(c, viewer, appSecret);
      const id = c.req.param('id');
      if (!isUuid(id)) return show(c, viewer);
      const outcome = await attempt(() => found(id, 'Cette demande', () => reserveForRequest(db, viewer, id)));
      if (!outcome.ok) return show(c, viewer, outcome, outcome.status);
      return seeOther(c, `/requests/${id}`);
    })
    .post('/requests/:id/enrol', async (c) => {
      const viewer = viewerOf(c, roles);
      const fields = await postedForm(c, viewer, appSecret);
      const id = c.req.param('id');
      if (!isUuid(fields.sessionId)) return show(c, viewer, { errors: [{ path: 'sessionId', message: 'Choisissez une session de formation.' }] }, 422);
      const sessionId = fields.sessionId;
      const outcome = await attempt(() => found(id, 'Cette demande', () => enrolRequest(db, viewer, id, sessionId)), {
        sessionId: 'Cette session de formation n’existe pas.',
      });
      if (!outcome.ok) return show(c, viewer, outcome, outcome.status);
      return seeOther(c, `/requests/${id}`);
    });
}
