import { Hono } from 'hono';
import { accepts } from 'hono/accepts';
import { problemResponse } from '../http/problem.ts';
import { reuseAttestationForAuditors, verifyReuseAttestation } from '../reuse/attestations.service.ts';
import { verificationForAuditors, verifyCertificate } from '../wiping/certificates.ts';
import { dateTime, deviceKindLabels, longDate, notCountedReasonLabels, percent, reuseOutcomeInFrench } from './fr.ts';
import { Layout } from './layout.tsx';
import type { Database } from './session.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The public page a certificate's QR code opens: is the signature good, are the records intact?
 * Asked for JSON (Accept: application/json), it answers what GET /api/certificates/{id} does: the
 * signed statement and its signature, for an auditor to verify offline.
 */
export function verifyPageRoutes(database: Database, appSecret: string, publicUrl: string) {
  return new Hono().route('/', reuseVerifyPageRoutes(database, appSecret, publicUrl)).get('/verify/:id', async (c) => {
    const id = c.req.param('id');
    const verification = uuidPattern.test(id) ? await verifyCertificate(database.db, appSecret, id) : ({ status: 'unknown' } as const);
    if (accepts(c, { header: 'Accept', supports: ['text/html', 'application/json'], default: 'text/html' }) === 'application/json') {
      if (verification.status === 'unknown') return problemResponse(c, 404, { detail: 'This certificate was not found.', code: 'not_found' });
      return c.json(verificationForAuditors(verification, publicUrl), 200);
    }
    if (verification.status === 'unknown') {
      return c.html(
        <Layout title="Certificat inconnu">
          <h1>Certificat inconnu</h1>
          <p>Aucun certificat d’effacement ne porte ce numéro.</p>
        </Layout>,
        404,
      );
    }
    const { statement } = verification;
    const valid = verification.status === 'valid';
    return c.html(
      <Layout title="Vérification du certificat">
        <h1 data-status={verification.status}>{valid ? 'Certificat valide' : 'Certificat NON valide'}</h1>
        <p>
          {valid
            ? 'La signature est correcte et les enregistrements d’effacement n’ont pas été modifiés depuis la signature.'
            : verification.status === 'bad_signature'
              ? 'La signature ne correspond pas au contenu du certificat : il a été modifié.'
              : 'Les enregistrements ont été modifiés depuis la signature : ce certificat ne les atteste plus.'}
        </p>
        <dl>
          <dt>Équipement</dt>
          <dd>
            {statement.device.manufacturer} {statement.device.model} — code {statement.device.code}
          </dd>
          <dt>Numéro de série</dt>
          <dd>{statement.device.serialNumber ?? '—'}</dd>
          <dt>Supports effacés</dt>
          <dd>{statement.media.length}</dd>
          <dt>Effacé le</dt>
          <dd>{dateTime(new Date(statement.wipedAt))}</dd>
          <dt>Par</dt>
          <dd>{statement.organisation}</dd>
          <dt>Certificat émis le</dt>
          <dd>{dateTime(verification.issuedAt)}</dd>
        </dl>
        <h2>Vérifier sans Boucle</h2>
        <p>
          La déclaration signée (les octets exacts signés) et sa signature sont à{' '}
          <a href={`/api/certificates/${statement.certificateId}`}>{`${publicUrl}/api/certificates/${statement.certificateId}`}</a> (ou cette adresse demandée
          en JSON) ; la clé publique Ed25519 est à <a href="/api/keys/certificates">{`${publicUrl}/api/keys/certificates`}</a>.
        </p>
        <p>
          Signature (Ed25519, base64url) : <code data-testid="signature">{verification.signature}</code>
        </p>
      </Layout>,
      valid ? 200 : 409,
    );
  });
}

/**
 * The public page a reuse attestation's QR code opens: is the signature good, do the records
 * (the devices, their outcomes, the commitments, the declared stock) still say what was signed?
 * Asked for JSON, the signed statement and its signature, for an auditor to verify offline.
 */
function reuseVerifyPageRoutes(database: Database, appSecret: string, publicUrl: string) {
  return new Hono().get('/verify/reuse/:id', async (c) => {
    const id = c.req.param('id');
    const verification = uuidPattern.test(id) ? await verifyReuseAttestation(database.db, appSecret, id) : ({ status: 'unknown' } as const);
    if (accepts(c, { header: 'Accept', supports: ['text/html', 'application/json'], default: 'text/html' }) === 'application/json') {
      if (verification.status === 'unknown') return problemResponse(c, 404, { detail: 'This reuse attestation was not found.', code: 'not_found' });
      return c.json(reuseAttestationForAuditors(verification.attestation, verification.status, publicUrl), 200);
    }
    if (verification.status === 'unknown') {
      return c.html(
        <Layout title="Attestation inconnue">
          <h1>Attestation inconnue</h1>
          <p>Aucune attestation de réemploi ne porte ce numéro.</p>
        </Layout>,
        404,
      );
    }
    const { statement, issuedAt } = verification.attestation;
    const valid = verification.status === 'valid';
    return c.html(
      <Layout title="Vérification de l’attestation de réemploi">
        <h1 data-status={verification.status}>{valid ? 'Attestation de réemploi valide' : 'Attestation de réemploi NON valide'}</h1>
        <p>
          {valid
            ? 'La signature est correcte et les enregistrements n’ont pas changé depuis la signature.'
            : verification.status === 'bad_signature'
              ? 'La signature ne correspond pas au contenu de l’attestation : elle a été modifiée.'
              : 'Les enregistrements ont changé depuis la signature (un équipement, son devenir, un engagement ou le stock déclaré) : cette attestation ne les atteste plus.'}
        </p>
        <dl>
          <dt>Donateur</dt>
          <dd>
            {statement.donor.name} — SIREN {statement.donor.siren}
          </dd>
          <dt>Année</dt>
          <dd>
            {statement.year}
            {statement.yearComplete ? '' : ` (année en cours, situation au ${longDate(new Date(new Date(statement.asOf).getTime() - 1))})`}
          </dd>
          <dt>Équipements donnés / comptés comme réemployés</dt>
          <dd data-testid="counts">
            {statement.totals.given} / {statement.totals.counted}
          </dd>
          <dt>Taux de réemploi (A / B)</dt>
          <dd>{statement.reuseRate === null ? 'stock au 1er janvier non déclaré' : percent(statement.reuseRate)}</dd>
          <dt>Attestation établie le</dt>
          <dd>{dateTime(issuedAt)}</dd>
        </dl>
        <table>
          <caption>Équipements donnés dans l’année</caption>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Équipement</th>
              <th scope="col">Certificat d’effacement</th>
              <th scope="col">Devenir</th>
              <th scope="col">Comptage</th>
            </tr>
          </thead>
          <tbody>
            {statement.devices.map((device) => (
              <tr>
                <td>{device.code}</td>
                <td>
                  {deviceKindLabels[device.kind]} {device.manufacturer} {device.model}
                </td>
                <td>{device.wipeCertificateId ? <a href={`/verify/${device.wipeCertificateId}`}>Vérifier</a> : '—'}</td>
                <td>{reuseOutcomeInFrench(device)}</td>
                <td>{device.notCountedBecause ? notCountedReasonLabels[device.notCountedBecause] : 'Compté'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          Clé publique Ed25519 : <a href="/api/keys/reuse-attestations">{`${publicUrl}/api/keys/reuse-attestations`}</a> ; cette adresse demandée en JSON donne
          la déclaration signée.
        </p>
      </Layout>,
      valid ? 200 : 409,
    );
  });
}
