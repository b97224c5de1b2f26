import type { FC, PropsWithChildren } from 'hono/jsx';

/** The frame of every server-rendered page, in French. */
export const Layout: FC<PropsWithChildren<{ title: string }>> = ({ title, children }) => (
  <html lang="fr">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title} — Boucle</title>
    </head>
    <body>
      <main>{children}</main>
    </body>
  </html>
);
