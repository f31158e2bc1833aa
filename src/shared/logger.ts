import { pino, type Logger, type LoggerOptions } from 'pino';
import PinoPretty from 'pino-pretty';

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
  'config.S3_SECRET_ACCESS_KEY',
  'secretAccessKey',
  '*.secretAccessKey',
];

/**
 * The process logger. Two layers keep secrets out of logs: pino's path redaction for known keys,
 * and a last-chance scrub of every line for the literal secret values (catches a token pasted into
 * an error message or URL).
 */
export function createLogger(options: { level: string; secrets: string[]; destination?: pino.DestinationStream; pretty?: boolean }): Logger {
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
  if (options.pretty) {
    // In-process (not a transport thread): the scrub above runs on the JSON line first, then the
    // prettifier reads that already-clean line, so both layers hold for pretty output too.
    const out = options.destination ?? process.stdout;
    const colorize = out === process.stdout && process.stdout.isTTY === true;
    return pino(base, PinoPretty({ destination: out, colorize, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}

/** People read a terminal; machines read everything else (pipes, files, log shippers, production). */
export function wantsPrettyLogs(nodeEnv: string, stdout: { isTTY?: boolean }): boolean {
  return nodeEnv !== 'production' && stdout.isTTY === true;
}
