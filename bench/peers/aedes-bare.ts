// The bare aedes peer: bench/peers/aedes-bare-process.ts forked with tsx, stopped by PID.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopByPid, track } from '../processes.js';
import { anonymousConnect, PEER_DEVICE_ID, type Broker } from './broker.js';

const SCRIPT = fileURLToPath(new URL('./aedes-bare-process.ts', import.meta.url));

export async function startAedes(): Promise<Broker> {
  const child = track(
    fork(SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
    'aedes',
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('aedes did not start within 10 s')), 10_000);
    child.once('message', (m: { type: string; port: number }) => {
      clearTimeout(timer);
      resolve(m.port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`aedes exited (${code}) before listening`));
    });
  }).catch(async (err: unknown) => {
    await stopByPid(child, 'SIGKILL');
    throw err;
  });
  return {
    kind: 'aedes',
    pid: child.pid ?? 0,
    endpoint: { host: '127.0.0.1', port },
    deviceId: PEER_DEVICE_ID,
    connectSpec: (moduleId) => anonymousConnect(PEER_DEVICE_ID, moduleId),
    async stop() {
      await stopByPid(child, 'SIGTERM', 5000);
      return child.exitCode === 0 ? undefined : `aedes exited with ${child.exitCode ?? child.signalCode}`;
    },
  };
}
