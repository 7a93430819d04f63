// The hub as a separate process (`edgehub start`), for tests that kill it: it reports its ports in its
// `hub.started` log line.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/edgehub.js', import.meta.url));

export interface HubProcess {
  readonly child: ChildProcess;
  readonly ports: { mqtts: number; mqtt?: number; amqps?: number; amqp?: number; metrics?: number };
  /** Every JSON log line so far. */
  readonly lines: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startHubProcess(args: string[], timeoutMs = 20_000): Promise<HubProcess> {
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
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ports = await new Promise<HubProcess['ports']>((resolve, reject) => {
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
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`hub exited (${code}) before it started\n${stderr}\n${JSON.stringify(lines.slice(-5))}`));
    });
  });
  return { child, ports, lines, exited };
}
