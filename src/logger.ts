import pino, { type Logger } from 'pino';

/** JSON logs; fields that could carry a secret are censored wherever they appear. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'boucle' },
      redact: {
        paths: ['password', 'token', 'secret', 'passphrase', '*.password', '*.token', '*.secret', '*.passphrase', 'headers.authorization', 'headers.cookie'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
