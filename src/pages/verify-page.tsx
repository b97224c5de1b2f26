import { Hono } from 'hono';
import { accepts } from 'hono/accepts';
import type { Database } from '../db/client.ts';
import { problemResponse } from '../http/problem.ts';
import { verificationForAuditors, verifyCertificate } from '../wiping/certificates.ts';
import { dateTime } from './fr.ts';
import { Layout } from './layout.tsx';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The public page a certificate's QR code opens: is the signature good, are the records intact?
 * Asked for JSON (Accept: application/json), it answers what GET /api/certificates/{id} does: the
 * signed statement and its signature, for an auditor to verify offline.
 */
export function verifyPageRoutes(database: Database, appSecret: string, publicUrl: string) {
  return new Hono().get('/verify/:id', async (c) => {
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
