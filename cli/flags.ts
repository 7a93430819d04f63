// Flag parsing shared by the subcommands: node's parseArgs, with an environment variable behind each flag
// (flags win), and number checks that name the flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.js';

/** node's parseArgs, strict, with its errors turned into usage errors (exit code 2, no stack trace). */
export function parseFlags<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    // node's messages name the flag, not where the valid ones are listed.
    throw new UsageError(`${(err as Error).message}; --help lists the options`);
  }
}

/** A flag's value, or its environment variable's, or undefined. */
export function flagOrEnv(value: string | undefined, env: string): string | undefined {
  return value ?? (process.env[env] !== undefined && process.env[env] !== '' ? process.env[env] : undefined);
}

export function portFlag(value: string | undefined, name: string, allowOff = false): number | undefined {
  if (value === undefined) return undefined;
  if (allowOff && value === 'off') return -1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--${name} must be a port number 0–65535${allowOff ? ' or "off"' : ''}, got "${value}"`);
  return n;
}
