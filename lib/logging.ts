/**
 * pino loggers. Services get one root logger and pass `logger.child({ component })` down as a
 * dependency; nothing logs through a global. Secrets never reach a log line: the paths below are
 * redacted wherever they appear.
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly service: string;
  /** @defaultValue 'info' */
  readonly level?: string;
  /** Write to this stream instead of stdout (tests). */
  readonly destination?: NodeJS.WritableStream;
}

const redact = {
  paths: [
    'secret',
    '*.secret',
    'password',
    '*.password',
    'token',
    '*.token',
    'req.headers.authorization',
    'req.headers["x-cuttle-secret"]',
  ],
  censor: '[redacted]',
};

export function createLogger(options: LoggerOptions): Logger {
  const config = { level: options.level ?? 'info', base: { service: options.service }, redact };
  return options.destination === undefined ? pino(config) : pino(config, options.destination);
}

/** A logger that drops everything, for unit tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
