// Every process the suite starts is registered here and stopped by its PID: on a normal stop (a signal, then
// SIGKILL after a grace period), and on any exit of the orchestrator, including Ctrl-C and uncaught errors.
import type { ChildProcess } from 'node:child_process';

const live = new Map<number, { child: ChildProcess; name: string }>();
let hooked = false;

function killAllNow(): void {
  for (const [pid] of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping ${live.size} benchmark processes\n`);
      killAllNow();
      process.exit(130);
    });
  }
}

/** Registers a child so that it is killed if the orchestrator exits first. */
export function track(child: ChildProcess, name: string): ChildProcess {
  hook();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} did not start`);
  live.set(pid, { child, name });
  child.once('exit', () => live.delete(pid));
  return child;
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends `signal` to the child's PID, waits up to `graceMs` for it to exit, then SIGKILLs it. */
export async function stopByPid(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 10_000,
): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const gone = exited(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
  if ((await Promise.race([gone, late])) === 'late') {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    await gone;
  }
  clearTimeout(timer);
}

/** Names of the processes still running (should be none at the end of a run). */
export function stillRunning(): string[] {
  return [...live.values()].map((p) => `${p.name} (pid ${p.child.pid})`);
}
