// A lean QoS 1 publisher: one connection, a window of messages in flight, pipelined. The slots freed by all the
// PUBACKs read in one event-loop turn are refilled with one write. Paced mode (ratePerSec) sends on a 1 ms
// timer as many messages as the schedule asks for, within the window, and remembers how far it fell behind.
import type { Socket } from 'node:net';
import { cpuMs, nowMs, type PublisherStart, type Sample } from './protocol.js';
import { waitUntil, type Role } from './role.js';
import {
  connectPacket,
  DISCONNECT,
  FrameReader,
  monotonicUs,
  openSocket,
  PacketType,
  PublishTemplate,
  timestampText,
} from './wire.js';

export class Publisher implements Role {
  readonly ready: Promise<void>;
  onFailure: ((err: Error) => void) | undefined;
  private readonly socket: Socket;
  private readonly templates: PublishTemplate[];
  private next = 0;
  private nextId = 1;
  private sent = 0;
  private writes = 0;
  private acked = 0;
  private firstAtMs = 0;
  private lastAtMs = 0;
  private maxLag = 0;
  private startedAtMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private refill: NodeJS.Immediate | undefined;
  private stopping = false;

  constructor(private readonly opts: PublisherStart) {
    this.templates = opts.variants.map((v) => new PublishTemplate(v));
    this.socket = openSocket(opts.endpoint);
    this.ready = new Promise((resolve, reject) => {
      const reader = new FrameReader((type, _flags, body) => {
        if (type === PacketType.puback) {
          this.acked++;
        } else if (type === PacketType.connack) {
          if (body[1] !== 0) {
            reject(new Error(`CONNECT refused with return code ${body[1]}`));
            return;
          }
          this.begin();
          resolve();
        }
      });
      this.socket.on('data', (chunk: Buffer) => {
        const before = this.acked;
        reader.push(chunk);
        if (this.acked !== before) {
          this.lastAtMs = nowMs();
          if (this.firstAtMs === 0) this.firstAtMs = this.lastAtMs;
          if (this.opts.ratePerSec === undefined && !this.refill) {
            // Refill once per event-loop turn, after every read of this turn: fewer, larger writes.
            this.refill = setImmediate(() => {
              this.refill = undefined;
              this.pump();
            });
          }
        }
      });
      this.socket.on('error', (err) => this.fail(err, reject));
      this.socket.on('close', () => this.fail(new Error('the broker closed the publisher connection'), reject));
      this.socket.write(connectPacket(opts.connect));
    });
  }

  private fail(err: Error, reject: (err: Error) => void): void {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    reject(err);
    this.onFailure?.(err);
  }

  private begin(): void {
    this.startedAtMs = nowMs();
    if (this.opts.ratePerSec === undefined) this.pump();
    else this.timer = setInterval(() => this.pump(), 1);
    setTimeout(() => {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      this.stopping = true; // maxMs is a safety bound: stop sending
    }, this.opts.maxMs).unref();
  }

  private pump(): void {
    if (this.stopping) return;
    let n = this.opts.window - (this.sent - this.acked);
    if (this.opts.ratePerSec !== undefined) {
      const due = Math.floor(((nowMs() - this.startedAtMs) * this.opts.ratePerSec) / 1000) - this.sent;
      this.maxLag = Math.max(this.maxLag, due - n);
      n = Math.min(n, due);
    }
    if (this.opts.limit !== undefined) n = Math.min(n, this.opts.limit - this.sent);
    if (n <= 0) return;
    let bytes = 0;
    for (let k = 0; k < n; k++) bytes += this.templates[(this.next + k) % this.templates.length]!.length;
    const out = Buffer.allocUnsafe(bytes);
    const ts = timestampText(monotonicUs());
    let at = 0;
    for (let k = 0; k < n; k++) {
      const t = this.templates[this.next]!;
      this.next = (this.next + 1) % this.templates.length;
      t.stamp(out, at, this.nextId, ts);
      this.nextId = this.nextId === 65535 ? 1 : this.nextId + 1;
      at += t.length;
    }
    this.sent += n;
    this.writes++;
    this.socket.write(out);
  }

  sample(): Sample {
    return {
      sent: this.sent,
      acked: this.acked,
      atMs: nowMs(),
      cpuMs: cpuMs(),
      firstAtMs: this.firstAtMs,
      lastAtMs: this.lastAtMs,
      writes: this.writes,
      ...(this.opts.ratePerSec !== undefined ? { maxLag: Math.max(0, this.maxLag) } : {}),
    };
  }

  reset(): void {
    this.maxLag = 0;
  }

  reached(timeoutMs: number): Promise<boolean> {
    const limit = this.opts.limit;
    if (limit === undefined) return Promise.resolve(false);
    return waitUntil(() => this.acked >= limit, timeoutMs);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, 2000);
      this.socket.end(DISCONNECT, () => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}
