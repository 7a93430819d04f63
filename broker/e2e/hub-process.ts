// The hub as a separate process (`edgehub start`), for tests that kill it: it reports its ports in its
// `hub.started` log line.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/edgehub.js', import.meta.url));

export interface HubProcess {
  readonly child: ChildProcess;
  readonly ports: { mqtts: number; mqtt?: number; amqps?: number; amqp?: number; metrics?: number };
  /** Every JSON log line so far. */
  readonly lines: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
}

/** A hub process on its way up: `started` resolves with its ports, or rejects when it exits first. */
export interface SpawnedHub extends Omit<HubProcess, 'ports'> {
  readonly started: Promise<HubProcess['ports']>;
}

/** `env`: the hub's environment (default: this process's), e.g. to start it with or without NODE_OPTIONS. */
export function spawnHubProcess(args: string[], timeoutMs = 20_000, env: NodeJS.ProcessEnv = process.env): SpawnedHub {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'start',
      '--host',
      '127.0.0.1',
      '--mqtts-port',
      '0',
      '--amqps-port',
      '0',
      '--https-port',
      'off',
      '--log-format',
      'json',
      ...args,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const started = new Promise<HubProcess['ports']>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start within ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry.event === 'hub.started') {
        clearTimeout(timer);
        resolve(entry.ports as HubProcess['ports']);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(`hub exited (${code ?? signal}) before it started\n${stderr}\n${JSON.stringify(lines.slice(-5))}`),
      );
    });
  });
  started.catch(() => undefined); // a caller that kills it before it starts need not wait for this
  return { child, started, lines, exited, stderr: () => stderr };
}

export async function startHubProcess(
  args: string[],
  timeoutMs = 20_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<HubProcess> {
  const spawned = spawnHubProcess(args, timeoutMs, env);
  const ports = await spawned.started;
  return { ...spawned, ports };
}

/** Resident memory of a process in bytes (VmRSS in /proc/<pid>/status), or undefined where there is no /proc. */
export function residentBytes(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
