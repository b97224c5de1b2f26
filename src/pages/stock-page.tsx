import { Hono } from 'hono';
import { deviceKinds, type DeviceKind } from '../devices/devices.service.ts';
import { listStock } from '../stock/stock.service.ts';
import { Select } from './forms.tsx';
import { deviceKindLabels } from './fr.ts';
import { Layout } from './layout.tsx';
import { viewerOf, type PageEnv, type Database } from './session.ts';

const grades = ['A', 'B', 'C'] as const;
const gradeLabels: Record<(typeof grades)[number], string> = { A: 'A (comme neuf)', B: 'B (quelques traces)', C: 'C (usé, fonctionne)' };
const isKind = (value: string | undefined): value is DeviceKind => (deviceKinds as readonly string[]).includes(value ?? '');
const isGrade = (value: string | undefined): value is (typeof grades)[number] => (grades as readonly string[]).includes(value ?? '');
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const shown = 200;

/**
 * The ready stock, what mediators and the coordinator draw from (a workshop sees its own):
 * filters by kind, grade and site, and counts per site and kind of what the filters keep.
 */
export function stockPageRoutes(database: Database) {
  const { db } = database;
  return new Hono<PageEnv>().get('/stock', async (c) => {
    const viewer = viewerOf(c, ['workshop_operator', 'mediator', 'admin']);
    const query = c.req.query();
    const kind = isKind(query.kind) ? query.kind : undefined;
    const grade = isGrade(query.grade) ? query.grade : undefined;
    const siteId = query.siteId && uuid.test(query.siteId) ? query.siteId : undefined;
    const [stock, everywhere] = await Promise.all([
      listStock(db, viewer, { kind, grade, siteId, limit: shown }),
      // The sites to choose from: every site with ready devices, whatever the other filters.
      listStock(db, viewer, { limit: 1 }),
    ]);
    const sites = [...new Map(everywhere.counts.map((count) => [count.siteId, count.siteName])).entries()];
    const total = stock.counts.reduce((sum, count) => sum + count.count, 0);
    return c.html(
      <Layout title="Stock" viewer={viewer} current="/stock">
        <h1>Stock prêt à attribuer</h1>
        <form method="get" action="/stock" class="filters" role="search" aria-label="Filtrer le stock">
          <Select
            name="kind"
            label="Type d’équipement"
            empty="Tous les types"
            value={kind}
            options={deviceKinds.map((value) => ({ value, label: deviceKindLabels[value] }))}
          />
          <Select name="grade" label="Grade" empty="Tous les grades" value={grade} options={grades.map((value) => ({ value, label: gradeLabels[value] }))} />
          <Select name="siteId" label="Lieu" empty="Tous les lieux" value={siteId} options={sites.map(([value, label]) => ({ value, label }))} />
          <div class="actions">
            <button type="submit">Filtrer</button>
            <a class="button secondary" href="/stock">
              Tout afficher
            </a>
          </div>
        </form>
        <p role="status">{total === 0 ? 'Aucun équipement prêt ne correspond.' : `${total} équipement${total > 1 ? 's' : ''} prêt${total > 1 ? 's' : ''}.`}</p>
        {stock.counts.length > 0 ? (
          <table>
            <caption>Équipements prêts par lieu et par type</caption>
            <thead>
              <tr>
                <th scope="col">Lieu</th>
                <th scope="col">Type</th>
                <th scope="col">Nombre</th>
              </tr>
            </thead>
            <tbody>
              {stock.counts.map((count) => (
                <tr>
                  <th scope="row">{count.siteName}</th>
                  <td>{deviceKindLabels[count.kind]}</td>
                  <td>{count.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {stock.items.length > 0 ? (
          <table>
            <caption>Équipements prêts{total > shown ? ` (les ${shown} premiers, meilleur grade d’abord)` : ', meilleur grade d’abord'}</caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Équipement</th>
                <th scope="col">Grade</th>
                <th scope="col">Mémoire vive</th>
                <th scope="col">Stockage</th>
                <th scope="col">Lieu</th>
              </tr>
            </thead>
            <tbody>
              {stock.items.map((device) => (
                <tr data-device-code={device.code}>
                  <th scope="row">
                    <a href={`/d/${device.code}`}>{device.code}</a>
                  </th>
                  <td>
                    {deviceKindLabels[device.kind]} {device.brand} {device.model}
                  </td>
                  <td>{device.grade ?? '—'}</td>
                  <td>{device.specs.ramGb ? `${device.specs.ramGb} Go` : '—'}</td>
                  <td>{device.specs.storageGb ? `${device.specs.storageGb} Go` : '—'}</td>
                  <td>
                    {device.siteName} ({device.communeCode})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Layout>,
    );
  });
}
