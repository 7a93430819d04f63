// A load process. The orchestrator forks it (`node --import tsx bench/load/worker.ts`) and drives it over
// IPC (protocol.ts): a command picks the role (publish, subscribe or idle), then mark/await/stop; after stop
// the process can take another role (the orchestrator keeps a few warm, see pool.ts).
// A failure after the role is running is sent unasked with seq 0; the process exits when the channel closes.
import { IdleConnections } from './idle-connections.js';
import type { Command, Event } from './protocol.js';
import { Publisher } from './publisher.js';
import { PublisherGroup } from './publisher-group.js';
import type { Role } from './role.js';
import { Subscriber } from './subscriber.js';

let role: Role | undefined;

function send(event: Event): void {
  if (process.connected) process.send?.(event);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function handle(cmd: Command): Promise<Event> {
  switch (cmd.type) {
    case 'publish':
    case 'publishMany':
    case 'subscribe':
    case 'idle': {
      if (role) throw new Error('this worker already has a role');
      const r: Role =
        cmd.type === 'publish'
          ? new Publisher(cmd.start)
          : cmd.type === 'publishMany'
            ? new PublisherGroup(cmd.starts)
            : cmd.type === 'subscribe'
              ? new Subscriber(cmd.start)
              : new IdleConnections(cmd.start);
      role = r;
      try {
        await withTimeout(r.ready, cmd.type === 'publishMany' ? cmd.maxMs : cmd.start.maxMs, 'connect');
      } catch (err) {
        role = undefined;
        await r.stop();
        throw err;
      }
      r.onFailure = (err) => send({ type: 'error', seq: 0, message: err.message });
      return { type: 'ok', seq: cmd.seq, sample: r.sample() };
    }
    case 'mark': {
      const r = need();
      if (cmd.reset) r.reset();
      return { type: 'ok', seq: cmd.seq, sample: r.sample() };
    }
    case 'await': {
      const r = need();
      const reached = await r.reached(cmd.timeoutMs);
      return { type: reached ? 'ok' : 'timeout', seq: cmd.seq, sample: r.sample() };
    }
    case 'stop': {
      const r = need();
      const sample = r.sample();
      r.onFailure = undefined;
      await r.stop();
      role = undefined; // ready for the next role
      return { type: 'ok', seq: cmd.seq, sample };
    }
  }
}

function need(): Role {
  if (!role) throw new Error('no role yet');
  return role;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(t);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

process.on('message', (cmd: Command) => {
  handle(cmd).then(send, (err: unknown) => send({ type: 'error', seq: cmd.seq, message: errorText(err) }));
});
process.on('disconnect', () => process.exit(0));
