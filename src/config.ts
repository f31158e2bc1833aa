import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { parseBackendDecls, type BackendDecl } from './shared/backend-decls.js';
import { offeredModels, type ModelOffer } from './shared/model-offers.js';

const MIN_SECRET_LENGTH = 32;

const optionalText = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const int = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: 'expected a whole number' })
    .int({ error: 'expected a whole number' })
    .min(min, { error: `expected at least ${min}` })
    .max(max, { error: `expected at most ${max}` })
    .default(fallback);

const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (s) => {
        try {
          return protocols.includes(new URL(s).protocol);
        } catch {
          return false;
        }
      },
      { error: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
    );

/** proxy-addr's named ranges, accepted as well as addresses and CIDRs. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** An IPv4/IPv6 address, an address/prefix CIDR, or one of proxy-addr's named ranges. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'expected development, production or test' }).default('development'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: int(8330, 0, 65535),
  PUBLIC_URL: optionalText.pipe(url(['http:', 'https:']).optional()),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/anime_production'),
  DATABASE_POOL_SIZE: int(10, 1, 500),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z.string().trim().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'expected 1-64 letters, digits, dot, dash or underscore' }).default('anime'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  STORAGE_DIR: optionalText,
  // Media on object storage when STORAGE=s3; the local folder (STORAGE_DIR) stays the default.
  STORAGE: z.enum(['local', 's3'], { error: 'expected local or s3' }).default('local'),
  S3_ENDPOINT: optionalText.pipe(url(['http:', 'https:']).optional()),
  S3_BUCKET: optionalText,
  S3_REGION: z.string().trim().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: optionalText,
  S3_SECRET_ACCESS_KEY: optionalText,
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false', '1', '0'], { error: 'expected true or false' }).default('false').transform((v) => v === 'true' || v === '1'),
  APP_SECRET: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  COMFYUI_URL: optionalText.pipe(url(['http:', 'https:']).optional()),
  /** Several servers, each with a name: name=url,name=url (src/shared/backend-decls.ts). */
  COMFYUI_URLS: optionalText,
  /** Health probe of an idle backend (GET /queue), and how many failures in a row make it down. */
  BACKEND_PROBE_MS: int(2_000, 100, 60_000),
  BACKEND_DOWN_AFTER: int(3, 1, 100),
  COMFYUI_WORKFLOW: z.string().trim().regex(/^[a-z0-9_-]+$/, { error: 'expected a template name from workflows/' }).default('txt2img'),
  /** The template for image jobs that carry reference pictures (its `$image` nodes take them). */
  COMFYUI_IMAGE_WORKFLOW: z.string().trim().regex(/^[a-z0-9_-]+$/, { error: 'expected a template name from workflows/' }).default('img2img'),
  /** A template folder of the operator's own instead of the built-in workflows/. */
  COMFYUI_WORKFLOWS_DIR: optionalText,
  COMFYUI_TIMEOUT_MS: int(600_000, 1_000, 86_400_000),
  /** Models users may pick (src/model-offers.ts has the grammar). */
  COMFYUI_MODELS: optionalText,
  /** How often a worker checks its backend against the templates and models (object_info). */
  BACKEND_CHECK_INTERVAL_MS: int(60_000, 1_000, 3_600_000),
  WORKER_CONCURRENCY: int(1, 1, 64),
  WORKER_LOCK_MS: int(10_000, 500, 600_000),
  BUILTIN_STEP_DELAY_MS: int(0, 0, 60_000),
  /** Least time between two live previews of one job (each one is an edit with an image in chat). */
  PREVIEW_INTERVAL_MS: int(2_500, 0, 600_000),
  JOB_ATTEMPTS: int(3, 1, 20),
  /** Hours an identical recipe's finished files answer a request instead of a render; 0 turns reuse off. */
  REUSE_WINDOW_HOURS: int(24, 0, 8_760),
  SHUTDOWN_GRACE_MS: int(30_000, 0, 3_600_000),
  MAX_PROMPT_LENGTH: int(1000, 10, 20_000),
  /** Largest reference picture accepted (API upload, chat attachment), in bytes. */
  UPLOAD_MAX_BYTES: int(10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
  /** Most pixels (width x height, from the file's header) a reference picture may have. */
  UPLOAD_MAX_PIXELS: int(4096 * 4096, 64 * 64, 100_000_000),
  RATE_LIMIT_PER_MINUTE: int(10, 1, 100_000),
  RATE_LIMIT_BURST: int(3, 0, 100_000),
  MAX_PENDING_PER_USER: int(3, 1, 10_000),
  MAX_QUEUE: int(500, 1, 1_000_000),
  TOKEN_TTL_DAYS: int(30, 1, 3650),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(url(['http:', 'https:']))),
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine(isProxyAddress, { error: 'expected addresses or CIDRs of your reverse proxies, e.g. 10.0.0.5,10.1.0.0/16 (or loopback)' }))),
  DISCORD_TOKEN: optionalText,
  DISCORD_APP_ID: optionalText.pipe(z.string().regex(/^\d{5,25}$/, { error: 'expected a numeric application id' }).optional()),
  DISCORD_API_BASE: optionalText.pipe(url(['http:', 'https:']).optional()),
  DISCORD_TOKEN_CUTOVER_MS: int(14 * 60_000, 1_000, 15 * 60_000),
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_API_URL: optionalText.pipe(url(['http:', 'https:']).optional()),
  /**
   * Live previews in Slack are image blocks Slack's servers fetch from PUBLIC_URL: `auto` shows them
   * when PUBLIC_URL looks reachable from the internet (not loopback, private or .local), `on`/`off` decide.
   */
  SLACK_PREVIEWS: z.enum(['auto', 'on', 'off'], { error: 'expected auto, on or off' }).default('auto'),
});

type Env = z.output<typeof envSchema>;

export interface Config extends Omit<Env, 'PUBLIC_URL' | 'STORAGE_DIR' | 'APP_SECRET'> {
  PUBLIC_URL: string;
  STORAGE_DIR: string;
  APP_SECRET: string;
  /** True when APP_SECRET was generated and stored under DATA_DIR (development only). */
  appSecretGenerated: boolean;
  /** The models users may pick; the first is the default. Built-in backend: its one renderer. */
  models: ModelOffer[];
  /** COMFYUI_URL (named comfyui) and COMFYUI_URLS; empty: the built-in renderer. */
  backends: BackendDecl[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment once. Throws ConfigError with one line per problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const shown = name in env && !isSecretName(name) ? ` (got "${String(env[name]).slice(0, 60)}")` : '';
        return `${name}: ${issue.message}${shown}`;
      }),
    );
  }
  const values = parsed.data;
  const problems: string[] = [];
  if (values.DISCORD_TOKEN && !values.DISCORD_APP_ID) problems.push('DISCORD_APP_ID: required when DISCORD_TOKEN is set');
  if (values.SLACK_BOT_TOKEN && !values.SLACK_SIGNING_SECRET && !values.SLACK_APP_TOKEN) {
    problems.push('SLACK_SIGNING_SECRET: required when SLACK_BOT_TOKEN is set (or SLACK_APP_TOKEN for Socket Mode)');
  }
  if (values.STORAGE === 's3') {
    for (const name of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
      if (!values[name]) problems.push(`${name}: required when STORAGE=s3`);
    }
  }
  const backends = parseBackendDecls(values.COMFYUI_URL, values.COMFYUI_URLS, problems);
  const models = offeredModels(backends.length > 0, values.COMFYUI_MODELS, problems);
  const secret = resolveAppSecret(values, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const dataDir = resolve(values.DATA_DIR);
  return {
    ...values,
    DATA_DIR: dataDir,
    STORAGE_DIR: resolve(values.STORAGE_DIR ?? join(dataDir, 'media')),
    PUBLIC_URL: (values.PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, ''),
    APP_SECRET: secret.value,
    appSecretGenerated: secret.generated,
    models,
    backends,
  };
}

function resolveAppSecret(values: Env, problems: string[]): { value: string; generated: boolean } {
  if (values.APP_SECRET) {
    if (values.APP_SECRET.length < MIN_SECRET_LENGTH || new Set(values.APP_SECRET).size < 10) {
      problems.push(`APP_SECRET: too weak; expected at least ${MIN_SECRET_LENGTH} random characters (openssl rand -hex 32)`);
    }
    return { value: values.APP_SECRET, generated: false };
  }
  if (values.NODE_ENV === 'production') {
    problems.push('APP_SECRET: required in production; expected at least 32 random characters (openssl rand -hex 32)');
    return { value: '', generated: false };
  }
  // Development: one secret, generated once and kept, so tokens survive restarts.
  const file = join(resolve(values.DATA_DIR), 'app-secret');
  if (existsSync(file)) return { value: readFileSync(file, 'utf8').trim(), generated: true };
  const value = randomBytes(32).toString('hex');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return { value, generated: true };
}

const SECRET_NAMES = ['APP_SECRET', 'DISCORD_TOKEN', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'S3_SECRET_ACCESS_KEY'];

function isSecretName(name: string): boolean {
  return SECRET_NAMES.includes(name) || name === 'DATABASE_URL' || name === 'REDIS_URL';
}

/** Every secret value the process knows, for the log scrubber. Includes passwords inside URLs. */
export function secretValues(config: Config): string[] {
  const values: string[] = [];
  for (const name of SECRET_NAMES) {
    const value = (config as unknown as Record<string, unknown>)[name];
    if (typeof value === 'string' && value.length >= 6) values.push(value);
  }
  for (const raw of [config.DATABASE_URL, config.REDIS_URL, ...config.backends.map((b) => b.url)]) {
    const password = new URL(raw).password;
    if (password.length >= 4) values.push(decodeURIComponent(password), password);
  }
  return values;
}
