// The messages between the orchestrator (bench/run.ts) and its load processes, over the IPC channel of
// child_process.fork. Every process answers each command it gets with exactly one event of the same `seq`.

/** Where a client connects: the broker's plain MQTT port on 127.0.0.1 (TLS only when asked). */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  /** TLS with this CA (PEM) and server name; plain TCP when absent. */
  readonly tls?: { readonly ca: string; readonly servername: string };
}

/** An MQTT 3.1.1 CONNECT. */
export interface ConnectSpec {
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  /** The Azure IoT SDK connects with clean = false. */
  readonly clean: boolean;
  readonly keepalive: number;
}

/** One kind of message a publisher sends; a publisher cycles through its variants in order. */
export interface Variant {
  readonly topic: string;
  /** Payload size in bytes (a JSON object padded to exactly this size). */
  readonly size: number;
  /** Extra JSON fields of the body, e.g. `{ keep: true }` for a `$body` condition. */
  readonly fields: Readonly<Record<string, boolean | number | string>>;
}

export interface PublisherStart {
  readonly endpoint: Endpoint;
  readonly connect: ConnectSpec;
  readonly variants: readonly Variant[];
  /** QoS 1 messages in flight (sent, not yet PUBACKed). */
  readonly window: number;
  /** Messages per second; as fast as the window allows when absent. */
  readonly ratePerSec?: number;
  /** Stop after this many messages (all acknowledged): the `done` event. */
  readonly limit?: number;
  /** Hard bound on how long the publisher runs (ms). */
  readonly maxMs: number;
}

export interface SubscriberConnection {
  readonly endpoint: Endpoint;
  readonly connect: ConnectSpec;
  /** QoS 1 topic filters. */
  readonly filters: readonly string[];
}

export interface SubscriberStart {
  readonly connections: readonly SubscriberConnection[];
  /** Record end-to-end latency from the timestamp in each payload. */
  readonly latency: boolean;
  /** Report `reached` when this many messages have arrived (over all connections). */
  readonly expect?: number;
  readonly maxMs: number;
}

export interface IdleStart {
  readonly endpoint: Endpoint;
  readonly connections: readonly { readonly connect: ConnectSpec; readonly filters: readonly string[] }[];
  /** How many CONNECTs may be outstanding at once. */
  readonly concurrency: number;
  readonly maxMs: number;
}

export type Command =
  | { readonly type: 'publish'; readonly seq: number; readonly start: PublisherStart }
  /** Several publishers in one process, one connection each; counters are summed. */
  | {
      readonly type: 'publishMany';
      readonly seq: number;
      readonly starts: readonly PublisherStart[];
      readonly maxMs: number;
    }
  | { readonly type: 'subscribe'; readonly seq: number; readonly start: SubscriberStart }
  | { readonly type: 'idle'; readonly seq: number; readonly start: IdleStart }
  /** Counters now; `reset` also clears the latency histogram (the end of a warm-up). */
  | { readonly type: 'mark'; readonly seq: number; readonly reset: boolean }
  /** Wait until `expect` (subscriber) or `limit` (publisher) is reached, or `timeoutMs` passes. */
  | { readonly type: 'await'; readonly seq: number; readonly timeoutMs: number }
  | { readonly type: 'stop'; readonly seq: number };

export interface Latency {
  readonly count: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  readonly maxUs: number;
}

/** Counters of a load process at one instant, on its own clock. */
export interface Sample {
  /** Messages published (publisher) or connections opened (idle). */
  readonly sent: number;
  /** Messages PUBACKed by the broker (publisher) or received and acknowledged (subscriber). */
  readonly acked: number;
  /** Monotonic time of the sample (ms). */
  readonly atMs: number;
  /** CPU time used by the process so far (user + system, ms). */
  readonly cpuMs: number;
  /** Since the last `mark` with `reset` (subscriber with `latency` only). */
  readonly latency?: Latency;
  /** Time of the first and the last message received or acknowledged (ms, same clock as atMs; 0 = none). */
  readonly firstAtMs: number;
  readonly lastAtMs: number;
  /** Writes to the socket(s) so far: messages per write shows how well the pipeline batches. */
  readonly writes: number;
  /** The publisher's largest lag behind its schedule, in messages (paced publishers only). */
  readonly maxLag?: number;
}

export type Event =
  | { readonly type: 'ok'; readonly seq: number; readonly sample: Sample }
  | { readonly type: 'timeout'; readonly seq: number; readonly sample: Sample }
  | { readonly type: 'error'; readonly seq: number; readonly message: string };

export function nowMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
