// Structured logs: JSON lines (pino) for machines, readable lines in a terminal. Each component gets a child
// logger with `component` set; events carry a stable `event` name (`mqtt.connect.refused`).
import { pino, type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export interface LogOptions {
  readonly level?: LevelWithSilent;
  /** `json` (default when not a terminal) or `pretty`. */
  readonly format?: 'json' | 'pretty';
  /** Where lines go; standard output by default. */
  readonly destination?: NodeJS.WritableStream;
}

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? 'info';
  const format = opts.format ?? (process.stdout.isTTY ? 'pretty' : 'json');
  const base = { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === 'pretty') {
    return pino(
      base,
      pretty({
        colorize: true,
        sync: true,
        ignore: 'pid',
        translateTime: 'SYS:HH:MM:ss.l',
        destination: opts.destination ?? process.stdout,
      }),
    );
  }
  return opts.destination ? pino(base, opts.destination) : pino(base);
}

/** A logger that drops everything (unit tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
