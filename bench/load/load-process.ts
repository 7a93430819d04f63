// The orchestrator's side of a load process: forks bench/load/worker.ts, sends commands, matches replies by
// seq, and remembers a failure the worker reports on its own (a connection the broker closed). Processes are
// kept warm between runs (forking one with tsx costs half a second of CPU): `acquire` takes an idle one or
// forks a new one, `release` ends its role and keeps it, unless it failed; `closeAll` stops them by PID.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopByPid, track } from '../processes.js';
import type { Command, Event, IdleStart, PublisherStart, Sample, SubscriberStart } from './protocol.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

type Body<C> = C extends Command ? Omit<C, 'seq'> : never;

export class LoadProcess {
  private seq = 0;
  private readonly waiting = new Map<number, (e: Event) => void>();
  /** A failure reported after the role started; a run with one is not counted. */
  failure: string | undefined;
  private gone = false;

  private constructor(
    public name: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (e: Event) => {
      if (e.seq === 0 && e.type === 'error') {
        this.failure ??= e.message;
        return;
      }
      const w = this.waiting.get(e.seq);
      this.waiting.delete(e.seq);
      w?.(e);
    });
    child.once('exit', (code, signal) => {
      this.gone = true;
      for (const [seq, w] of this.waiting) w({ type: 'error', seq, message: `exited (${code ?? signal})` });
      this.waiting.clear();
    });
  }

  private static spawn(name: string): LoadProcess {
    const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new LoadProcess(name, track(child, 'load process'));
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Sends a command and resolves with its sample; rejects on an error reply or after `timeoutMs`. */
  request(cmd: Body<Command>, timeoutMs: number): Promise<{ sample: Sample; timedOut: boolean }> {
    if (this.gone) return Promise.reject(new Error(`${this.name}: the load process is not running`));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        this.failure ??= `no answer to ${cmd.type}`;
        reject(new Error(`${this.name}: no answer to ${cmd.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(seq, (e) => {
        clearTimeout(timer);
        if (e.type === 'error') reject(new Error(`${this.name}: ${e.message}`));
        else resolve({ sample: e.sample, timedOut: e.type === 'timeout' });
      });
      this.child.send({ ...cmd, seq });
    });
  }

  async publish(start: PublisherStart): Promise<Sample> {
    return (await this.request({ type: 'publish', start }, start.maxMs + 5000)).sample;
  }

  /** One publisher per start, in this one process. */
  async publishMany(starts: readonly PublisherStart[], maxMs: number): Promise<Sample> {
    return (await this.request({ type: 'publishMany', starts, maxMs }, maxMs + 5000)).sample;
  }

  async subscribe(start: SubscriberStart): Promise<Sample> {
    return (await this.request({ type: 'subscribe', start }, start.maxMs + 5000)).sample;
  }

  async idle(start: IdleStart): Promise<Sample> {
    return (await this.request({ type: 'idle', start }, start.maxMs + 5000)).sample;
  }

  async mark(reset = false): Promise<Sample> {
    return (await this.request({ type: 'mark', reset }, 10_000)).sample;
  }

  /** Waits until the role's goal is reached; `timedOut` says it was not. */
  wait(timeoutMs: number): Promise<{ sample: Sample; timedOut: boolean }> {
    return this.request({ type: 'await', timeoutMs }, timeoutMs + 10_000);
  }

  private static idlePool: LoadProcess[] = [];

  /** A load process without a role: a warm one when there is one. */
  static acquire(name: string): LoadProcess {
    const p = LoadProcess.idlePool.pop() ?? LoadProcess.spawn(name);
    p.name = name;
    return p;
  }

  /** Ends the role (DISCONNECT) and keeps the process for the next run, or stops it if it failed. Never throws. */
  async release(): Promise<void> {
    try {
      if (!this.gone) await this.request({ type: 'stop' }, 5000);
    } catch {
      this.failure ??= 'stop failed';
    }
    if (this.failure === undefined && !this.gone) {
      LoadProcess.idlePool.push(this);
      return;
    }
    await this.kill();
  }

  private async kill(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    await stopByPid(this.child, 'SIGTERM', 3000);
  }

  /** Stops every kept process by PID. */
  static async closeAll(): Promise<void> {
    const all = LoadProcess.idlePool;
    LoadProcess.idlePool = [];
    await Promise.all(all.map((p) => p.kill()));
  }
}
