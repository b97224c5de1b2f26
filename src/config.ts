import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { defaultMapAttribution, defaultMapTilesUrl, mapTilesOf, type MapTiles } from './places/map-tiles.ts';

const hasProtocol = (value: string, protocols: string[]) => {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
};
const startingWith = (protocols: string[]) => `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`;

/** A URL of one of these protocols, or one of the words in `alternatives`. */
const urlWithProtocol = (protocols: string[], alternatives: string[] = []) =>
  z.string().refine((value) => alternatives.includes(value) || hasProtocol(value, protocols), {
    message: `${startingWith(protocols)}${alternatives.map((word) => `, or ${word}`).join('')}`,
  });

const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  // Unset: the local server if it answers, else the embedded one; `embedded`: always the embedded one.
  DATABASE_URL: urlWithProtocol(['postgres:', 'postgresql:'], ['embedded']).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  // Unset: the local server if it answers, else the machine's redis-server started for us.
  REDIS_URL: urlWithProtocol(['redis:', 'rediss:']).optional(),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+$/i, 'must be letters, digits, - or _')
    .default('boucle'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  PUBLIC_URL: urlWithProtocol(['http:', 'https:']).optional(),
  // 32 bytes of entropy at least: it derives the keys that sign certificates and encrypt Wi-Fi passphrases.
  APP_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)').optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  // Reminders by e-mail; without it they are written to the log (e.g. smtp://user:pass@smtp.example.org:587).
  SMTP_URL: urlWithProtocol(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().min(3).default('Boucle <ne-pas-repondre@boucle.invalid>'),
  // Months after a family's last request ended before its phone and e-mail are erased.
  CONTACT_RETENTION_MONTHS: z.coerce.number().int().min(1).max(120).default(24),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BOOTSTRAP_ADMIN_EMAIL: z.email('must be an e-mail address').optional(),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  // Reverse proxies in front of the API whose X-Forwarded-For is believed (sign-in counts per client address).
  TRUSTED_PROXIES: z.coerce.number().int().min(0).max(5).default(0),
  // The map of /lieux: a tile server's URL template (Leaflet's {s}, {z}, {x}, {y}) and the attribution its licence asks for.
  MAP_TILES_URL: z.string().default(defaultMapTilesUrl),
  MAP_TILES_ATTRIBUTION: z.string().min(1).max(300).default(defaultMapAttribution),
});

export const defaultDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/boucle';
export const defaultRedisUrl = 'redis://127.0.0.1:6379';

/** Where a service's address comes from: the environment, the default (replaced by a local one if silent), or the embedded server. */
export type ServiceSource = 'given' | 'default' | 'embedded';

export type Config = {
  env: 'development' | 'test' | 'production';
  databaseUrl: string;
  databaseSource: ServiceSource;
  databasePoolMax: number;
  redisUrl: string;
  redisSource: Exclude<ServiceSource, 'embedded'>;
  queuePrefix: string;
  port: number;
  publicUrl: string;
  appSecret: string;
  dataDir: string;
  contactRetentionMonths: number;
  smtpUrl?: string;
  mailFrom: string;
  logLevel: z.infer<typeof configSchema>['LOG_LEVEL'];
  bootstrapAdmin?: { email: string; password: string };
  trustedProxies: number;
  mapTiles: MapTiles;
};

/** A reason the process cannot start, said in one line that names what to fix: printed without a stack. */
export class StartupError extends Error {}
export class ConfigError extends StartupError {}

const secretVariables = new Set(['APP_SECRET', 'BOOTSTRAP_ADMIN_PASSWORD', 'SMTP_URL']);

/** A URL as an operator may see it in a terminal or a log: its password hidden. */
export const withoutPassword = (url: string) => url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');

/** The refused value as an operator may see it in a terminal or a log: secrets and URL passwords hidden. */
function shownValue(name: string, value: string | undefined): string {
  if (value === undefined) return 'nothing';
  if (secretVariables.has(name)) return `a value of ${value.length} characters`;
  return JSON.stringify(withoutPassword(value));
}

/**
 * Reads the configuration from the environment once. Throws a ConfigError whose message is one
 * line naming the variable, so an operator sees at once what to fix.
 */
export function loadConfig(env: NodeJS.ProcessEnv, warn: (message: string) => void = console.warn): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new ConfigError(`Configuration error: ${name} ${issue.message} (got ${shownValue(name, env[name])})`);
  }
  const values = parsed.data;
  if (Boolean(values.BOOTSTRAP_ADMIN_EMAIL) !== Boolean(values.BOOTSTRAP_ADMIN_PASSWORD)) {
    throw new ConfigError('Configuration error: BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD go together; set both or neither');
  }
  const mapTiles = mapTilesOf(values.MAP_TILES_URL, values.MAP_TILES_ATTRIBUTION);
  if (!mapTiles.ok) throw new ConfigError(`Configuration error: MAP_TILES_URL ${mapTiles.reason} (got ${shownValue('MAP_TILES_URL', env.MAP_TILES_URL)})`);
  const dataDir = resolve(values.DATA_DIR);
  let appSecret = values.APP_SECRET;
  if (!appSecret) {
    if (values.NODE_ENV === 'production') {
      throw new ConfigError('Configuration error: APP_SECRET is required in production (e.g. openssl rand -base64 32)');
    }
    appSecret = developmentSecret(dataDir, warn);
  }
  return {
    env: values.NODE_ENV,
    databaseUrl: values.DATABASE_URL === undefined || values.DATABASE_URL === 'embedded' ? defaultDatabaseUrl : values.DATABASE_URL,
    databaseSource: values.DATABASE_URL === 'embedded' ? 'embedded' : values.DATABASE_URL ? 'given' : 'default',
    databasePoolMax: values.DATABASE_POOL_MAX,
    redisUrl: values.REDIS_URL ?? defaultRedisUrl,
    redisSource: values.REDIS_URL ? 'given' : 'default',
    queuePrefix: values.QUEUE_PREFIX,
    port: values.PORT,
    publicUrl: (values.PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, ''),
    appSecret,
    dataDir,
    contactRetentionMonths: values.CONTACT_RETENTION_MONTHS,
    smtpUrl: values.SMTP_URL,
    mailFrom: values.MAIL_FROM,
    logLevel: values.LOG_LEVEL,
    trustedProxies: values.TRUSTED_PROXIES,
    mapTiles: mapTiles.tiles,
    bootstrapAdmin:
      values.BOOTSTRAP_ADMIN_EMAIL && values.BOOTSTRAP_ADMIN_PASSWORD
        ? { email: values.BOOTSTRAP_ADMIN_EMAIL.toLowerCase(), password: values.BOOTSTRAP_ADMIN_PASSWORD }
        : undefined,
  };
}

/** Outside production, a secret generated once and kept in the data folder, so restarts keep signatures valid. */
function developmentSecret(dataDir: string, warn: (message: string) => void): string {
  const path = join(dataDir, 'app-secret');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  warn(`APP_SECRET is not set: generated one in ${path}. Set APP_SECRET in production.`);
  return secret;
}
