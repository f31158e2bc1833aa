import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { isRole, ROLES } from '../core/roles.js';
import { openDatabase } from '../db/client.js';
import { TokenService } from '../infra/tokens.js';

const USAGE = `usage: npm run token -- --user NAME [--role ${ROLES.join('|')}] [--space web] [--days N]
       npm run token -- --revoke TOKEN_ID`;

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
  const config = loadConfig();
  const handle = await openDatabase(config.DATABASE_URL, 1);
  try {
    const tokens = new TokenService(handle.db, config.APP_SECRET);
    if (values.revoke) {
      const done = await tokens.revoke(values.revoke);
      process.stdout.write(done ? `revoked ${values.revoke}\n` : `no token with id ${values.revoke}\n`);
      if (!done) process.exitCode = 1;
      return;
    }
    if (!values.user || !/^[\w.@-]{1,64}$/.test(values.user)) throw new UsageError('--user NAME is required (letters, digits, . _ @ -)');
    if (!isRole(values.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const days = values.days === undefined ? config.TOKEN_TTL_DAYS : Number(values.days);
    if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UsageError('--days must be a whole number from 1 to 3650');
    const { token, claims } = await tokens.issue({ subject: values.user, role: values.role, space: values.space, ttlSeconds: days * 86400, issuedBy: 'cli' });
    process.stderr.write(`token id ${claims.tokenId} for ${claims.subject} of space ${claims.space} (${claims.role}) expires ${claims.expiresAt.toISOString()}\n`);
    process.stdout.write(`${token}\n`);
  } finally {
    await handle.close();
  }
}

class UsageError extends Error {}

run().catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof UsageError ? error.message : `failed: ${(error as Error).message}`;
  process.stderr.write(`${message}\n${error instanceof UsageError ? `${USAGE}\n` : ''}`);
  process.exit(1);
});
