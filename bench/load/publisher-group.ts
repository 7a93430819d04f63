// Several lean publishers in one load process, one connection each (the `pairs` scenario: many modules sending
// at once). Counters are the sums over the connections; a failure of any connection fails the group.
import { cpuMs, nowMs, type PublisherStart, type Sample } from './protocol.js';
import { Publisher } from './publisher.js';
import type { Role } from './role.js';

export class PublisherGroup implements Role {
  readonly ready: Promise<void>;
  private failureHandler: ((err: Error) => void) | undefined;
  private readonly members: Publisher[];

  constructor(starts: readonly PublisherStart[]) {
    this.members = starts.map((s) => new Publisher(s));
    for (const m of this.members) m.onFailure = (err) => this.failureHandler?.(err);
    this.ready = Promise.all(this.members.map((m) => m.ready)).then(() => undefined);
  }

  get onFailure(): ((err: Error) => void) | undefined {
    return this.failureHandler;
  }

  set onFailure(f: ((err: Error) => void) | undefined) {
    this.failureHandler = f;
  }

  sample(): Sample {
    const all = this.members.map((m) => m.sample());
    const firsts = all.map((s) => s.firstAtMs).filter((t) => t > 0);
    return {
      sent: all.reduce((n, s) => n + s.sent, 0),
      acked: all.reduce((n, s) => n + s.acked, 0),
      atMs: nowMs(),
      cpuMs: cpuMs(),
      firstAtMs: firsts.length ? Math.min(...firsts) : 0,
      lastAtMs: Math.max(0, ...all.map((s) => s.lastAtMs)),
      writes: all.reduce((n, s) => n + s.writes, 0),
    };
  }

  reset(): void {
    for (const m of this.members) m.reset();
  }

  async reached(timeoutMs: number): Promise<boolean> {
    const done = await Promise.all(this.members.map((m) => m.reached(timeoutMs)));
    return done.every(Boolean);
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.stop()));
  }
}
