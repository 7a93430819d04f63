// A lean QoS 1 subscriber over one or more connections: counts every PUBLISH, acknowledges all those read in
// one event-loop turn with one write per connection, and, when asked, records the end-to-end latency from the payload's timestamp
// in an HDR histogram (microseconds).
import type { Socket } from 'node:net';
import * as hdr from 'hdr-histogram-js';
import { cpuMs, nowMs, type Sample, type SubscriberConnection, type SubscriberStart } from './protocol.js';
import { waitUntil, type Role } from './role.js';
import {
  connectPacket,
  DISCONNECT,
  FrameReader,
  monotonicUs,
  openSocket,
  PacketType,
  publishView,
  pubacks,
  readTimestampUs,
  subscribePacket,
} from './wire.js';

export class Subscriber implements Role {
  readonly ready: Promise<void>;
  onFailure: ((err: Error) => void) | undefined;
  private readonly sockets: Socket[] = [];
  private readonly histogram: hdr.Histogram | undefined;
  private received = 0;
  private writes = 0;
  private firstAtMs = 0;
  private lastAtMs = 0;
  private stopping = false;

  constructor(private readonly opts: SubscriberStart) {
    this.histogram = opts.latency
      ? hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 })
      : undefined;
    this.ready = Promise.all(opts.connections.map((c) => this.open(c))).then(() => undefined);
  }

  private open(c: SubscriberConnection): Promise<void> {
    const socket = openSocket(c.endpoint);
    this.sockets.push(socket);
    return new Promise((resolve, reject) => {
      const ids: number[] = [];
      const reader = new FrameReader((type, flags, body) => {
        if (type === PacketType.publish) {
          const view = publishView(flags, body);
          this.received++;
          if (view.qos > 0) ids.push(view.messageId);
          if (this.histogram) {
            const latency = monotonicUs() - readTimestampUs(body, view.payloadAt);
            this.histogram.recordValue(Math.max(1, latency));
          }
        } else if (type === PacketType.connack) {
          if (body[1] !== 0) reject(new Error(`CONNECT of ${c.connect.clientId} refused with return code ${body[1]}`));
          else socket.write(subscribePacket(1, c.filters));
        } else if (type === PacketType.suback) {
          const refused = [...body.subarray(2)].some((code) => code === 0x80);
          if (refused) reject(new Error(`SUBSCRIBE of ${c.connect.clientId} to ${c.filters.join(', ')} refused`));
          else resolve();
        }
      });
      let flush: NodeJS.Immediate | undefined;
      socket.on('data', (chunk: Buffer) => {
        reader.push(chunk);
        if (ids.length > 0 && !flush) {
          // Acknowledge once per event-loop turn, after every read of this turn: fewer, larger writes.
          flush = setImmediate(() => {
            flush = undefined;
            this.lastAtMs = nowMs();
            if (this.firstAtMs === 0) this.firstAtMs = this.lastAtMs;
            this.writes++;
            if (!socket.destroyed) socket.write(pubacks(ids));
            ids.length = 0;
          });
        }
      });
      const fail = (err: Error) => {
        reject(err);
        if (!this.stopping) this.onFailure?.(err);
      };
      socket.on('error', fail);
      socket.on('close', () => fail(new Error(`the broker closed ${c.connect.clientId}`)));
      socket.write(connectPacket(c.connect));
    });
  }

  sample(): Sample {
    const h = this.histogram;
    return {
      sent: 0,
      acked: this.received,
      atMs: nowMs(),
      cpuMs: cpuMs(),
      firstAtMs: this.firstAtMs,
      lastAtMs: this.lastAtMs,
      writes: this.writes,
      ...(h
        ? {
            latency: {
              count: h.totalCount,
              p50Us: h.getValueAtPercentile(50),
              p99Us: h.getValueAtPercentile(99),
              p999Us: h.getValueAtPercentile(99.9),
              maxUs: h.maxValue,
            },
          }
        : {}),
    };
  }

  reset(): void {
    this.histogram?.reset();
  }

  reached(timeoutMs: number): Promise<boolean> {
    const expect = this.opts.expect;
    if (expect === undefined) return Promise.resolve(false);
    return waitUntil(() => this.received >= expect, timeoutMs, 2);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.sockets.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.destroyed) {
              resolve();
              return;
            }
            const force = setTimeout(() => {
              s.destroy();
              resolve();
            }, 2000);
            s.end(DISCONNECT, () => {
              clearTimeout(force);
              resolve();
            });
          }),
      ),
    );
  }
}
