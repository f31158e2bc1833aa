import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../shared/logger.js';

/** Bolt and the WebClient log through our pino logger (secrets scrubbed there), at warn and up by default. */
export function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.WARN;
  const order = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
  const enabled = (at: LogLevel) => order.indexOf(at) >= order.indexOf(level);
  const text = (msg: unknown[]) => msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => void (enabled(LogLevel.DEBUG) && log.debug(text(msg))),
    info: (...msg) => void (enabled(LogLevel.INFO) && log.info(text(msg))),
    warn: (...msg) => void (enabled(LogLevel.WARN) && log.warn(text(msg))),
    error: (...msg) => void (enabled(LogLevel.ERROR) && log.error(text(msg))),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
