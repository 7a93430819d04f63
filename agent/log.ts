// The agent's logger: pino, JSON lines, component "agent", and a stable `event` name on every line.
// Secrets never go in: objects are logged by kind and name only.
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(level = process.env.EDGEHUB_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { component: 'agent' } });
}

/** A logger that writes nothing, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
