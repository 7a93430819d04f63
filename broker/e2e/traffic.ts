// Traffic for the reliability suites: a ledger of what was sent, acknowledged and received, a QoS 1 sender that
// reconnects as a module's SDK does, and a receiver that records what arrives. Bodies are `{tag}-{n}`, padded
// with `|xxx…` to a size; the ledger keys them by what comes before the `|`.
import { sleep } from './harness.js';
import { LeanClient, moduleLogin, outputTopic, type DeviceLogin } from './lean-client.js';

/** What a trial sent, what the hub acknowledged (PUBACK received), and what receivers got, with how often. */
export class Ledger {
  readonly sent = new Set<string>();
  readonly acked = new Set<string>();
  readonly received = new Map<string, number>();
  receptions = 0;

  static key(body: string): string {
    const bar = body.indexOf('|');
    return bar < 0 ? body : body.slice(0, bar);
  }

  receive(body: string): void {
    const key = Ledger.key(body);
    this.receptions++;
    this.received.set(key, (this.received.get(key) ?? 0) + 1);
  }

  /** Acknowledged and never received. */
  lost(): string[] {
    return [...this.acked].filter((b) => !this.received.has(b));
  }

  get duplicates(): number {
    return this.receptions - this.received.size;
  }

  /** Bodies that arrived but were never sent: corruption, or another trial's message. */
  unknown(): string[] {
    return [...this.received.keys()].filter((b) => !this.sent.has(b));
  }

  /** Waits until every acknowledged message was received, at most `timeoutMs`; returns how many are missing. */
  async waitForAll(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let missing = this.lost().length;
    while (missing > 0 && Date.now() < deadline) {
      await sleep(100);
      missing = this.lost().length;
    }
    return missing;
  }
}

export const inputsFilter = (device: DeviceLogin, moduleId: string): string =>
  `devices/${device.deviceId}/modules/${moduleId}/inputs/#`;

/** A lean receiver for `moduleId` that records every input message into `ledger` and acknowledges it. */
export async function receiver(
  port: number,
  device: DeviceLogin,
  moduleId: string,
  ledger: Ledger,
  opts: { ack?: boolean } = {},
): Promise<LeanClient> {
  const client = await LeanClient.connect({ port, ...moduleLogin(device, moduleId), ack: opts.ack });
  client.onMessage = (_topic, payload) => ledger.receive(payload.toString('latin1'));
  await client.subscribe([inputsFilter(device, moduleId)]);
  return client;
}

export interface SenderOptions {
  readonly port: () => number;
  readonly device: DeviceLogin;
  readonly moduleId: string;
  /** The output of every message, or of message n. */
  readonly output: string | ((n: number) => string);
  readonly ledger: Ledger;
  readonly tag: string;
  /** Publishes in flight (default 32). */
  readonly window?: number;
  /** Body size in bytes (default: just the tag and number). */
  readonly size?: number;
  /** Messages per second at most (default: as fast as the window allows). */
  readonly ratePerSec?: number;
  /** Stops on its own after this long (ms; default 30 minutes). */
  readonly maxMs?: number;
}

/**
 * Publishes QoS 1 until stopped; when the connection drops (the hub refused a publish, restarted, or closed it)
 * it connects again after a pause, as the SDK does. Unacknowledged publishes are not resent: they were never the
 * hub's to keep.
 */
export class Sender {
  private stopped = false;
  private client: LeanClient | undefined;
  private running: Promise<void> | undefined;
  private n = 0;
  /** Connections made, and connection attempts refused or failed. */
  connections = 0;
  failedConnects = 0;
  lastError = '';

  constructor(private readonly opts: SenderOptions) {}

  get acked(): number {
    return this.opts.ledger.acked.size;
  }

  start(): this {
    this.running = this.loop();
    return this;
  }

  private body(): string {
    const head = `${this.opts.tag}-${this.n++}`;
    const size = this.opts.size ?? 0;
    return size > head.length + 1 ? `${head}|${'x'.repeat(size - head.length - 1)}` : head;
  }

  private async loop(): Promise<void> {
    const { ledger } = this.opts;
    const window = this.opts.window ?? 32;
    const deadline = Date.now() + (this.opts.maxMs ?? 30 * 60_000);
    while (!this.stopped && Date.now() < deadline) {
      let client: LeanClient;
      try {
        client = await LeanClient.connect({
          port: this.opts.port(),
          ...moduleLogin(this.opts.device, this.opts.moduleId),
        });
      } catch (err) {
        this.failedConnects++;
        this.lastError = (err as Error).message;
        await sleep(200);
        continue;
      }
      this.connections++;
      this.client = client;
      const { output } = this.opts;
      const fixedTopic =
        typeof output === 'string' ? outputTopic(this.opts.device.deviceId, this.opts.moduleId, output) : '';
      const topic = (n: number) =>
        typeof output === 'string' ? fixedTopic : outputTopic(this.opts.device.deviceId, this.opts.moduleId, output(n));
      let inflight = 0;
      let tokens = window;
      const refill =
        this.opts.ratePerSec === undefined
          ? undefined
          : setInterval(() => {
              tokens = Math.min(window, tokens + Math.max(1, Math.round(this.opts.ratePerSec! / 20)));
              pump();
            }, 50);
      const pump = () => {
        while (!this.stopped && client.connected && inflight < window && (refill === undefined || tokens > 0)) {
          const n = this.n;
          const body = this.body();
          const key = Ledger.key(body);
          ledger.sent.add(key);
          inflight++;
          tokens--;
          client.publishQos1(topic(n), body, () => {
            inflight--;
            ledger.acked.add(key);
            pump();
          });
        }
      };
      pump();
      await client.closed;
      if (refill) clearInterval(refill);
      this.client = undefined;
      if (!this.stopped) await sleep(200);
    }
  }

  /** Stops publishing, waits a moment for PUBACKs in flight, and closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    await sleep(300);
    this.client?.destroy();
    await this.running;
  }
}
