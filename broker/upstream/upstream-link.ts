// The `$upstream` endpoint's receiver: one device client (azure-iot-device) to IoT Hub or a parent edgehub.
// The endpoint's dispatcher hands it entries in priority, then arrival order; the link sends them in batches
// (count- and byte-bounded; the SDK has no batch send, so a batch is that many sends in flight at once) and
// acknowledges to the dispatcher, in order, only what the upstream acknowledged: the store releases nothing
// else, so after a restart or an outage the queue resumes from there. Any failure takes the link offline
// (detached: the dispatcher re-reads from the last release) and it reconnects with exponential backoff and
// jitter. The SDK's own retries are off, so a failed send is never resent behind the back of the order.
import azureCommon from 'azure-iot-common';
import azureDevice from 'azure-iot-device';
import azureAmqp from 'azure-iot-device-amqp';
import azureMqtt from 'azure-iot-device-mqtt';
import type { Sink } from '../../routing/index.js';
import type { DeliveryTarget } from '../core/dispatcher.js';
import { messageSize } from '../core/message.js';
import type { QueueEntry } from '../core/ports.js';
import type { Logger } from '../log.js';
import type { UpstreamMetrics } from '../metrics/upstream-metrics.js';
import { backoffDelay } from './backoff.js';
import type { UpstreamIdentity, UpstreamProtocol, UpstreamSettings } from './options.js';
import { toSdkMessage } from './outbound-message.js';

const { Client } = azureDevice;
type SdkClient = InstanceType<typeof Client>;

const TRANSPORTS = {
  Amqp: azureAmqp.Amqp,
  AmqpWs: azureAmqp.AmqpWs,
  Mqtt: azureMqtt.Mqtt,
  MqttWs: azureMqtt.MqttWs,
} as const satisfies Record<UpstreamProtocol, unknown>;

/** SDK errors that say this one message can never be taken: it is dropped (counted, logged), the rest go on. */
const INVALID_MESSAGE_ERRORS = new Set(['MessageTooLargeError', 'FormatError', 'ArgumentError']);

/** Where the link attaches: the hub's endpoints (`Endpoints.attachUpstream`). */
export interface UpstreamAttachment {
  attachUpstream(target: DeliveryTarget): void;
  detachUpstream(target: DeliveryTarget): void;
}

export interface UpstreamHooks {
  /** An entry the upstream refused for good (dropped and released). */
  readonly invalid?: (entry: QueueEntry, err: Error) => void;
}

type State = 'offline' | 'connecting' | 'online' | 'closed';

interface Pending {
  readonly entry: QueueEntry;
  readonly acked: () => void;
}

/** A connection that lived this long starts its next backoff from the beginning. */
const STABLE_MS = 60_000;

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  // The client's `disconnect` event carries a results.Disconnected whose error is in transportObj.
  const t = (err as { transportObj?: unknown } | undefined)?.transportObj;
  if (t instanceof Error) return t.message || t.name;
  return String(err);
}

/**
 * The AMQP transport defers a disconnect asked for while it connects until the connection is made
 * (azure-iot-amqp-base/dist/amqp.js, state `connecting`: `'*': () => this._fsm.deferUntilTransition()`), and
 * rhea has no connect timeout: against a peer that accepts TCP and never answers, `close()` never completes and
 * the socket stays open (one per attempt, and a stopped hub's process kept alive). Destroying rhea's socket with
 * an error (rhea notices 'error' and 'end', not 'close') ends the attempt. SDK internals: looked up defensively.
 */
function abortAmqpSocket(client: SdkClient): void {
  const rhea = (
    client as unknown as {
      _transport?: { _amqp?: { _rheaConnection?: { socket?: { destroy?: (err: Error) => void } } } };
    }
  )._transport?._amqp?._rheaConnection;
  const socket = rhea?.socket;
  if (socket && typeof socket.destroy === 'function') socket.destroy(new Error('upstream link closed the attempt'));
}

export class UpstreamLink implements DeliveryTarget {
  readonly name: string;
  private state: State = 'offline';
  private client: SdkClient | undefined;
  /** Bumped whenever a connection ends: callbacks of an older one are ignored. */
  private generation = 0;
  private retries = 0;
  private timer: NodeJS.Timeout | undefined;
  private onlineSince = 0;
  private pending: Pending[] = [];
  private batchInFlight = false;
  private flushScheduled = false;

  constructor(
    private readonly settings: UpstreamSettings,
    readonly identity: UpstreamIdentity,
    private readonly endpoints: UpstreamAttachment,
    private readonly metrics: UpstreamMetrics,
    private readonly log: Logger,
    private readonly hooks: UpstreamHooks = {},
  ) {
    this.name = `upstream ${identity.deviceId}@${identity.target}`;
  }

  get online(): boolean {
    return this.state === 'online';
  }

  start(): void {
    this.log.info(
      {
        event: 'upstream.starting',
        deviceId: this.identity.deviceId,
        target: this.identity.target,
        protocol: this.settings.protocol,
      },
      `upstream: connecting to ${this.identity.target} as device ${this.identity.deviceId} over ${this.settings.protocol}`,
    );
    this.connect();
  }

  private connect(): void {
    if (this.state === 'closed') return;
    this.timer = undefined;
    this.state = 'connecting';
    const generation = ++this.generation;
    let client: SdkClient;
    try {
      client = Client.fromConnectionString(this.settings.connectionString, TRANSPORTS[this.settings.protocol]);
    } catch (err) {
      this.failed(generation, err);
      return;
    }
    this.client = client;
    client.setRetryPolicy(new azureCommon.NoRetry());
    // An 'error' event without a listener would throw; failures are handled through sends and 'disconnect'.
    client.on('error', (err: Error) =>
      this.log.debug({ event: 'upstream.client.error', err: err.message }, `upstream client: ${err.message}`),
    );
    client.on('disconnect', (err?: unknown) => this.failed(generation, err ?? new Error('disconnected')));
    const timeout = setTimeout(
      () => this.failed(generation, new Error(`no connection within ${this.settings.operationTimeoutMs} ms`)),
      this.settings.operationTimeoutMs,
    );
    // The hub's listeners keep the process alive; this timer must not keep a stopped hub's process running.
    timeout.unref();
    const open = async () => {
      // One setOptions call: the MQTT transport replaces its whole options object on each (protocol.md §1.4).
      if (this.settings.ca !== undefined) await client.setOptions({ ca: this.settings.ca });
      await client.open();
    };
    open().then(
      () => {
        clearTimeout(timeout);
        if (generation !== this.generation) {
          void this.closeClient(client, false);
          return;
        }
        this.cameOnline();
      },
      (err: unknown) => {
        clearTimeout(timeout);
        this.failed(generation, err);
      },
    );
  }

  private cameOnline(): void {
    this.state = 'online';
    this.onlineSince = Date.now();
    const offlineSecs = this.metrics.cameOnline();
    this.log.info(
      { event: 'upstream.online', target: this.identity.target, offlineSeconds: offlineSecs },
      `upstream online (${this.identity.target})${offlineSecs === undefined ? '' : ` after ${offlineSecs.toFixed(1)} s offline`}`,
    );
    this.endpoints.attachUpstream(this);
  }

  /** A connection failed (or could not be made): offline, detached, and the next attempt after a backoff. */
  private failed(generation: number, err: unknown): void {
    if (generation !== this.generation || this.state === 'closed') return;
    const wasOnline = this.state === 'online';
    this.generation++;
    this.state = 'offline';
    this.endpoints.detachUpstream(this);
    this.pending = [];
    this.batchInFlight = false;
    const client = this.client;
    this.client = undefined;
    if (client) void this.closeClient(client, true);
    if (wasOnline && Date.now() - this.onlineSince >= STABLE_MS) this.retries = 0;
    const delay = backoffDelay(this.retries++, this.settings.backoff);
    this.metrics.wentOffline();
    const fields = { target: this.identity.target, err: errorText(err), retryInMs: Math.round(delay) };
    const text = `${this.identity.target}: ${errorText(err)}; next attempt in ${(delay / 1000).toFixed(1)} s`;
    if (wasOnline) this.log.warn({ event: 'upstream.offline', ...fields }, `upstream offline: ${text}`);
    else if (this.retries === 1) this.log.warn({ event: 'upstream.connect.failed', ...fields }, `upstream: ${text}`);
    else this.log.debug({ event: 'upstream.connect.retry', ...fields }, `upstream: ${text}`);
    this.timer = setTimeout(() => this.connect(), delay);
    this.timer.unref();
  }

  /** `abort`: the connection is not up (failed, or still connecting): its socket goes at once. */
  private async closeClient(client: SdkClient, abort: boolean): Promise<void> {
    if (abort) abortAmqpSocket(client);
    // The SDK's close can wait on a peer that is gone: bounded.
    await Promise.race([client.close().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
  }

  deliver(entry: QueueEntry, _sink: Sink, acked: () => void): void {
    if (this.state !== 'online') return; // detached meanwhile: the dispatcher hands it out again
    this.pending.push({ entry, acked });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // What one dispatcher pump hands out goes in one batch.
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  private takeBatch(): Pending[] {
    const { maxBatchSize, maxBatchBytes } = this.settings;
    let bytes = 0;
    let n = 0;
    while (n < this.pending.length && n < maxBatchSize) {
      const size = messageSize(this.pending[n]!.entry.message);
      if (n > 0 && bytes + size > maxBatchBytes) break;
      bytes += size;
      n++;
    }
    return this.pending.splice(0, n);
  }

  private flush(): void {
    if (this.batchInFlight || this.state !== 'online' || this.pending.length === 0) return;
    const client = this.client!;
    const generation = this.generation;
    const batch = this.takeBatch();
    this.batchInFlight = true;
    const results: (Error | null | undefined)[] = new Array<Error | null | undefined>(batch.length).fill(undefined);
    let left = batch.length;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timeout);
      this.batchDone(generation, batch, results);
    };
    const timeout = setTimeout(() => {
      for (let i = 0; i < results.length; i++) {
        if (results[i] === undefined)
          results[i] = new Error(`not acknowledged within ${this.settings.operationTimeoutMs} ms`);
      }
      finish();
    }, this.settings.operationTimeoutMs);
    timeout.unref();
    for (let i = 0; i < batch.length; i++) {
      client.sendEvent(toSdkMessage(batch[i]!.entry.message), (err?: Error) => {
        if (results[i] !== undefined) return;
        results[i] = err ?? null;
        if (--left === 0) finish();
      });
    }
  }

  private batchDone(
    generation: number,
    batch: readonly Pending[],
    results: readonly (Error | null | undefined)[],
  ): void {
    if (generation !== this.generation) return; // that connection is gone; its entries are handed out again
    this.batchInFlight = false;
    for (let i = 0; i < batch.length; i++) {
      const err = results[i];
      if (err === null) {
        batch[i]!.acked();
        continue;
      }
      if (err && INVALID_MESSAGE_ERRORS.has(err.name)) {
        this.log.warn(
          { event: 'upstream.message.refused', err: err.message, seq: batch[i]!.entry.seq },
          `upstream refused a message for good (${err.name}: ${err.message}); dropped`,
        );
        this.hooks.invalid?.(batch[i]!.entry, err);
        batch[i]!.acked();
        continue;
      }
      // Keep the order: nothing after the first failure is acknowledged; all of it is sent again.
      this.failed(generation, err);
      return;
    }
    this.retries = 0;
    this.flush();
  }

  /** Stops: what is in flight stays unreleased and is sent again by the next run. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasOnline = this.state === 'online';
    this.state = 'closed';
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.endpoints.detachUpstream(this);
    this.pending = [];
    const client = this.client;
    this.client = undefined;
    if (client) await this.closeClient(client, !wasOnline);
  }
}
