import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { sessionCookie } from '../auth/auth.routes.ts';
import { issueCredential, revokeCredential, sessionLifetimeMs } from '../auth/auth.service.ts';
import { TooManySignIns, waitInWords } from '../auth/sign-in-throttle.ts';
import type { SignIns } from '../auth/auth.routes.ts';
import { DomainError } from '../errors.ts';
import { Field } from './forms.tsx';
import { ErrorSummary, Layout, navigationFor } from './layout.tsx';
import { sameOriginPath, seeOther } from './redirect.ts';
import { postedBody, postedForm, viewerOf, type PageEnv, type Database } from './session.ts';

/** Only a path of this site: a `next` pointing elsewhere would make the sign-in page an open redirect. */
const safeNext = (next: string | undefined) => sameOriginPath(next) ?? '/';

const LoginForm = (props: { next: string; email?: string; errors?: { path: string; message: string }[]; detail?: string }) => (
  <Layout title="Connexion">
    <h1>Se connecter à Boucle</h1>
    <ErrorSummary errors={props.errors ?? []} detail={props.detail} />
    <form method="post" action={`/login?next=${encodeURIComponent(props.next)}`} novalidate>
      <Field
        name="email"
        label="Adresse e-mail"
        type="email"
        autocomplete="username"
        value={props.email}
        required
        error={props.errors?.find((error) => error.path === 'email')?.message}
      />
      <Field
        name="password"
        label="Mot de passe"
        type="password"
        autocomplete="current-password"
        required
        error={props.errors?.find((error) => error.path === 'password')?.message}
      />
      <button type="submit" class="big">
        Se connecter
      </button>
    </form>
  </Layout>
);

export function loginPageRoutes(database: Database, options: { appSecret: string; secureCookies: boolean; publicUrl: string; signIns: SignIns }) {
  const { db } = database;
  return new Hono<PageEnv>()
    .get('/', (c) => {
      const viewer = c.get('viewer');
      if (!viewer) return c.redirect('/login');
      const first = navigationFor(viewer.role)[0];
      if (first) return c.redirect(first.href);
      return c.html(
        <Layout title="Accueil" viewer={viewer}>
          <h1>Bonjour {viewer.displayName}</h1>
          <p>Scannez le QR code d’une étiquette ou d’un certificat avec votre téléphone pour en voir le suivi.</p>
        </Layout>,
      );
    })
    .get('/login', (c) => c.html(<LoginForm next={safeNext(c.req.query('next'))} />))
    .post('/login', async (c) => {
      const next = safeNext(c.req.query('next'));
      // No session yet, hence no CSRF token: a form posted from another site is refused by its origin.
      const origin = c.req.header('origin');
      if (origin && origin !== new URL(options.publicUrl).origin && origin !== new URL(c.req.url).origin) {
        return c.html(<LoginForm next={next} detail="Ce formulaire ne vient pas de Boucle." />, 403);
      }
      const body = await postedBody(c);
      const email = typeof body.email === 'string' ? body.email.trim() : '';
      const password = typeof body.password === 'string' ? body.password : '';
      const errors = [
        ...(email ? [] : [{ path: 'email', message: 'Indiquez l’adresse e-mail du compte.' }]),
        ...(password ? [] : [{ path: 'password', message: 'Indiquez le mot de passe.' }]),
      ];
      if (errors.length > 0) return c.html(<LoginForm next={next} email={email} errors={errors} />, 422);
      try {
        const credential = await options.signIns.throttle.attempt({ email, address: options.signIns.clientAddress(c) }, () =>
          issueCredential(db, { email, password, kind: 'session' }),
        );
        setCookie(c, sessionCookie, credential.secret, {
          httpOnly: true,
          sameSite: 'Lax',
          secure: options.secureCookies,
          path: '/',
          maxAge: sessionLifetimeMs / 1000,
        });
        return seeOther(c, next);
      } catch (error) {
        if (error instanceof DomainError && error.status === 401) {
          return c.html(<LoginForm next={next} email={email} detail="L’adresse e-mail ou le mot de passe est incorrect." />, 401);
        }
        if (error instanceof TooManySignIns) {
          c.header('retry-after', String(error.retryAfterSeconds));
          const detail = `Trop de tentatives de connexion échouées. Par sécurité, réessayez dans ${waitInWords(error.retryAfterSeconds, true)}. Si vous avez oublié votre mot de passe, demandez à la coordination du réseau de le changer.`;
          return c.html(<LoginForm next={next} email={email} detail={detail} />, 429);
        }
        throw error;
      }
    })
    .post('/logout', async (c) => {
      const viewer = viewerOf(c);
      await postedForm(c, viewer, options.appSecret);
      await revokeCredential(db, viewer, viewer.credentialId);
      deleteCookie(c, sessionCookie, { path: '/' });
      return seeOther(c, '/login');
    });
}
