// Mosquitto 2 as a peer: started from a generated configuration on 127.0.0.1 and a free port, never the
// system service, and stopped by PID. Its limits match the hub's traffic shape: 100 QoS 1 messages in flight
// per subscriber (the hub's delivery window), an unbounded offline queue (the backlog scenario), Nagle off.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopByPid, track } from '../processes.js';
import { anonymousConnect, freePort, PEER_DEVICE_ID, waitForPort, type Broker } from './broker.js';

const CANDIDATES = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto'];

function locate(): string | undefined {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  const which = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' });
  const path = which.stdout.trim();
  return which.status === 0 && path ? path : undefined;
}

/**
 * The mosquitto binary; installs it with apt-get when missing, running as root and apt is there.
 * Returns the path, or a reason it is missing.
 */
export function findMosquitto(log: (line: string) => void): { path: string } | { missing: string } {
  const path = locate();
  if (path) return { path };
  const root = process.getuid?.() === 0;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (!root || !apt)
    return { missing: 'mosquitto is not installed (apt-get install -y mosquitto); skipping that peer' };
  log('mosquitto is missing: apt-get install -y mosquitto');
  const first = spawnSync('apt-get', ['install', '-y', 'mosquitto'], { stdio: 'ignore', timeout: 300_000 });
  if (first.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'ignore', timeout: 300_000 });
    spawnSync('apt-get', ['install', '-y', 'mosquitto'], { stdio: 'ignore', timeout: 300_000 });
  }
  const installed = locate();
  return installed ? { path: installed } : { missing: 'mosquitto could not be installed; skipping that peer' };
}

export function mosquittoVersion(path: string): string {
  const r = spawnSync(path, ['-h'], { encoding: 'utf8' });
  return /mosquitto version (\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? 'unknown';
}

export async function startMosquitto(path: string, workDir: string): Promise<Broker> {
  const port = await freePort();
  const conf = join(workDir, `mosquitto-${port}.conf`);
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_inflight_messages 100',
      'max_queued_messages 0',
      'max_queued_bytes 0',
      'set_tcp_nodelay true',
      'log_dest stderr',
      'log_type error',
      '',
    ].join('\n'),
  );
  const child = track(spawn(path, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] }), 'mosquitto');
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  try {
    await waitForPort(port, 5000);
  } catch (err) {
    await stopByPid(child, 'SIGKILL');
    throw new Error(`mosquitto did not start: ${(err as Error).message}\n${stderr}`, { cause: err });
  }
  return {
    kind: 'mosquitto',
    pid: child.pid ?? 0,
    endpoint: { host: '127.0.0.1', port },
    deviceId: PEER_DEVICE_ID,
    connectSpec: (moduleId) => anonymousConnect(PEER_DEVICE_ID, moduleId),
    async stop() {
      await stopByPid(child, 'SIGTERM', 5000);
      return child.exitCode === 0 ? undefined : `mosquitto exited with ${child.exitCode ?? child.signalCode}`;
    },
  };
}
