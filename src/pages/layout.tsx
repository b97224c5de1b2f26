import type { FC, PropsWithChildren } from 'hono/jsx';
import type { Role } from '../auth/roles.ts';
import { csrfField } from './csrf.ts';
import { roleLabels } from './fr.ts';
import type { Viewer } from './session.ts';

/** Where each role goes from the header: what it may reach, nothing more. */
const navigation: { href: string; label: string; roles: readonly Role[] }[] = [
  { href: '/scan', label: 'Poste de scan', roles: ['workshop_operator', 'mediator', 'installer', 'admin'] },
  { href: '/donations', label: 'Dons', roles: ['workshop_operator', 'mediator', 'admin'] },
  { href: '/stock', label: 'Stock', roles: ['workshop_operator', 'mediator', 'admin'] },
  { href: '/households', label: 'Familles', roles: ['mediator', 'admin'] },
  { href: '/requests', label: 'Demandes', roles: ['mediator', 'admin'] },
  { href: '/sessions', label: 'Formations', roles: ['mediator', 'admin'] },
  { href: '/rollout', label: 'Déploiement Wi-Fi', roles: ['landlord_manager', 'installer', 'admin'] },
  { href: '/reemploi', label: 'Réemploi', roles: ['donor_viewer', 'admin'] },
  { href: '/pilotage', label: 'Pilotage', roles: ['admin', 'workshop_operator', 'mediator', 'landlord_manager', 'funder_viewer'] },
  { href: '/pilotage/fonds', label: 'Fonds', roles: ['admin', 'funder_viewer'] },
  { href: '/admin', label: 'Réseau', roles: ['admin'] },
  { href: '/admin/queues', label: 'Files de travail', roles: ['admin'] },
];

export const navigationFor = (role: Role) => navigation.filter((item) => item.roles.includes(role));

/** The hidden field every posted form carries (see csrf.ts). */
export const CsrfField: FC<{ viewer: Viewer }> = ({ viewer }) => <input type="hidden" name={csrfField} value={viewer.csrf} />;

/** The frame of every server-rendered page, in French: who is signed in and where they may go. */
export const Layout: FC<PropsWithChildren<{ title: string; viewer?: Viewer | null; current?: string; scripts?: string[]; styles?: string[] }>> = ({
  title,
  viewer,
  current,
  scripts,
  styles,
  children,
}) => (
  <html lang="fr">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      {viewer ? <meta name="csrf-token" content={viewer.csrf} /> : null}
      <title>{title} — Boucle</title>
      {(styles ?? []).map((href) => (
        <link rel="stylesheet" href={href} />
      ))}
      <link rel="stylesheet" href="/assets/boucle.css" />
      <link rel="icon" href="data:," />
      {(scripts ?? []).map((src) => (
        <script src={src} type={src.endsWith('.mjs') ? 'module' : undefined} defer />
      ))}
    </head>
    <body>
      <a class="skip" href="#contenu">
        Aller au contenu
      </a>
      <header class="site">
        <a class="brand" href="/">
          Boucle
        </a>
        {viewer ? (
          <>
            <nav aria-label="Menu principal">
              <ul>
                {navigationFor(viewer.role).map((item) => (
                  <li>
                    <a href={item.href} aria-current={current === item.href ? 'page' : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            <div class="who">
              <span data-testid="viewer">
                {viewer.displayName} · {viewer.organisationName} · {roleLabels[viewer.role]}
              </span>
              <form method="post" action="/logout">
                <CsrfField viewer={viewer} />
                <button type="submit" class="link">
                  Se déconnecter
                </button>
              </form>
            </div>
          </>
        ) : (
          <nav aria-label="Menu principal" class="public">
            <ul>
              <li>
                <a href="/lieux" aria-current={current === '/lieux' ? 'page' : undefined}>
                  Lieux près de chez vous
                </a>
              </li>
              <li>
                <a href="/login">Se connecter</a>
              </li>
            </ul>
          </nav>
        )}
      </header>
      <main id="contenu" tabindex={-1}>
        {children}
      </main>
      <footer class="site">
        <p>
          <a href="/lieux">Où donner un ordinateur, en obtenir un à prix solidaire, se former au numérique</a>
        </p>
      </footer>
    </body>
  </html>
);

/** The errors of a refused form, at the top, each pointing to its field. */
export const ErrorSummary: FC<{ errors: { path: string; message: string }[]; detail?: string }> = ({ errors, detail }) =>
  errors.length > 0 || detail ? (
    <div class="error-summary" role="alert" tabindex={-1}>
      <h2>Ce n’est pas encore bon</h2>
      {detail ? <p>{detail}</p> : null}
      <ul>
        {errors.map((error) => (
          <li>
            <a href={`#champ-${error.path.replace(/[^\w-]/g, '-')}`}>{error.message}</a>
          </li>
        ))}
      </ul>
    </div>
  ) : null;
