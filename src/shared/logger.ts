import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

const REDACT_PATHS = [
  'token',
  'password',
  'secret',
  '*.token',
  '*.password',
  '*.secret',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'config.APP_SECRET',
  'config.DISCORD_TOKEN',
  'config.SLACK_BOT_TOKEN',
  'config.SLACK_SIGNING_SECRET',
  'config.SLACK_APP_TOKEN',
];

/**
 * The process logger. Two layers keep secrets out of logs: pino's path redaction for known keys,
 * and a last-chance scrub of every line for the literal secret values (catches a token pasted into
 * an error message or URL).
 */
export function createLogger(options: { level: string; secrets: string[]; destination?: pino.DestinationStream }): Logger {
  // Lines are JSON, so a secret with quotes or backslashes appears escaped: scrub both spellings.
  const spellings = options.secrets.filter((s) => s.length >= 4).flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]);
  const secrets = [...new Set(spellings)].sort((a, b) => b.length - a.length);
  const base: LoggerOptions = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks:
      secrets.length === 0
        ? {}
        : {
            streamWrite(line: string) {
              let out = line;
              for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
              return out;
            },
          },
  };
  return options.destination ? pino(base, options.destination) : pino(base);
}
