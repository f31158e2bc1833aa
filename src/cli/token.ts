import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { isRole, ROLES, type Role } from '../core/roles.js';
import { ServiceUnreachableError } from '../shared/unreachable.js';

const USAGE = `usage: npm run -s token -- --user NAME [--role ${ROLES.join('|')}] [--space web] [--days N]
       npm run -s token -- --revoke TOKEN_ID`;

/** `npm run token`: prints an HTTP API token (a JWT) or revokes one by id. */
async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      user: { type: 'string' },
      role: { type: 'string', default: 'creator' },
      space: { type: 'string', default: 'web' },
      days: { type: 'string' },
      revoke: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  // The same .env as `npm start` reads, so a token is signed with the server's APP_SECRET.
  if (existsSync('.env') && typeof process.loadEnvFile === 'function') process.loadEnvFile('.env');
  const config = loadConfig();
  let issue: { subject: string; role: Role; days: number } | undefined;
  if (!values.revoke) {
    if (!values.user || !/^[\w.@-]{1,64}$/.test(values.user)) throw new UsageError('--user NAME is required (letters, digits, . _ @ -)');
    if (!isRole(values.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const days = values.days === undefined ? config.TOKEN_TTL_DAYS : Number(values.days);
    if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UsageError('--days must be a whole number from 1 to 3650');
    issue = { subject: values.user, role: values.role, days };
  }
  // Loaded only once the arguments are known good: drizzle, pg and jose are most of the start-up time.
  const [{ openDatabase }, { TokenService }] = await Promise.all([import('../db/client.js'), import('../infra/tokens.js')]);
  const handle = await openDatabase(config.DATABASE_URL, 1);
  try {
    const tokens = new TokenService(handle.db, config.APP_SECRET);
    if (!issue) {
      const id = values.revoke!;
      const done = await tokens.revoke(id);
      process.stdout.write(done ? `revoked ${id}\n` : `no token with id ${id}\n`);
      if (!done) process.exitCode = 1;
      return;
    }
    const { token, claims } = await tokens.issue({ subject: issue.subject, role: issue.role, space: values.space, ttlSeconds: issue.days * 86400, issuedBy: 'cli' });
    process.stderr.write(`token id ${claims.tokenId} for ${claims.subject} of space ${claims.space} (${claims.role}) expires ${claims.expiresAt.toISOString()}\n`);
    process.stdout.write(`${token}\n`);
  } finally {
    await handle.close();
  }
}

class UsageError extends Error {}

run().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof UsageError || error instanceof ServiceUnreachableError;
  const message = known ? error.message : `failed: ${(error as Error).message}`;
  process.stderr.write(`${message}\n${error instanceof UsageError ? `${USAGE}\n` : ''}`);
  process.exit(1);
});
