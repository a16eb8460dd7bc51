import pino, { type Logger, type LoggerOptions } from 'pino';
import { createRequire } from 'node:module';
import type { EnvironmentVariables, LogLevel } from '../config/app-config.js';

/** Nest's level names, as pino calls them. */
const PINO_LEVELS: Record<LogLevel, pino.Level> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/** Whatever a caller attaches, these never reach a log line. */
const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'body',
  'req.body',
  'password',
  'api_secret',
  'secret',
  'token',
];

export function logFormat(config: Pick<EnvironmentVariables, 'LOG_FORMAT'>, stdoutIsTty = process.stdout.isTTY === true): 'json' | 'pretty' {
  return config.LOG_FORMAT ?? (stdoutIsTty ? 'pretty' : 'json');
}

/**
 * The process's one pino logger: JSON lines on stdout (`level` as a name, ISO `time`, `msg`,
 * `context`, `request_id`), or pino-pretty's coloured text. Writes are synchronous, so the lines of
 * a process that exits are never lost and stay in order with anything else written to stdout.
 */
export function createRootLogger(config: Pick<EnvironmentVariables, 'LOG_FORMAT' | 'LOG_LEVEL'>): Logger {
  const options: LoggerOptions = {
    level: PINO_LEVELS[config.LOG_LEVEL],
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
  };
  if (logFormat(config) === 'pretty') {
    // Loaded only for a terminal: a server logging JSON never holds the formatter's code.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
    return pino(
      options,
      pretty({
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'context,request_id',
        messageFormat: '{if context}[{context}] {end}{if request_id}({request_id}) {end}{msg}',
      }),
    );
  }
  return pino(options, pino.destination({ dest: 1, sync: true }));
}
