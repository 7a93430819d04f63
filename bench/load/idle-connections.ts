// Many idle modules: each connects (clean = false, as the SDK does), subscribes to its inputs and then stays
// silent. CONNECTs go out a few at a time (`concurrency`) so that the broker is measured, not a connect storm.
import type { Socket } from 'node:net';
import { cpuMs, nowMs, type IdleStart, type Sample } from './protocol.js';
import type { Role } from './role.js';
import { connectPacket, FrameReader, openSocket, PacketType, subscribePacket } from './wire.js';

export class IdleConnections implements Role {
  readonly ready: Promise<void>;
  onFailure: ((err: Error) => void) | undefined;
  private readonly sockets: Socket[] = [];
  private opened = 0;
  private subscribed = 0;
  private firstAtMs = 0;
  private lastAtMs = 0;
  private stopping = false;

  constructor(private readonly opts: IdleStart) {
    this.ready = this.openAll();
  }

  private async openAll(): Promise<void> {
    const queue = [...this.opts.connections];
    const deadline = Date.now() + this.opts.maxMs;
    const lane = async () => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
        if (Date.now() > deadline) throw new Error(`only ${this.subscribed} connections within ${this.opts.maxMs} ms`);
        await this.open(c.connect.clientId, c);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.opts.concurrency) }, lane));
  }

  private open(name: string, c: IdleStart['connections'][number]): Promise<void> {
    const socket = openSocket(this.opts.endpoint);
    this.sockets.push(socket);
    return new Promise((resolve, reject) => {
      const reader = new FrameReader((type, _flags, body) => {
        if (type === PacketType.connack) {
          if (body[1] !== 0) {
            reject(new Error(`CONNECT of ${name} refused with return code ${body[1]}`));
            return;
          }
          this.opened++;
          socket.write(subscribePacket(1, c.filters));
        } else if (type === PacketType.suback) {
          this.subscribed++;
          this.lastAtMs = nowMs();
          if (this.firstAtMs === 0) this.firstAtMs = this.lastAtMs;
          resolve();
        }
      });
      socket.on('data', (chunk: Buffer) => reader.push(chunk));
      const fail = (err: Error) => {
        reject(err);
        if (!this.stopping) this.onFailure?.(err);
      };
      socket.on('error', fail);
      socket.on('close', () => fail(new Error(`the broker closed idle connection ${name}`)));
      socket.write(connectPacket(c.connect));
    });
  }

  sample(): Sample {
    return {
      sent: this.opened,
      acked: this.subscribed,
      atMs: nowMs(),
      cpuMs: cpuMs(),
      firstAtMs: this.firstAtMs,
      lastAtMs: this.lastAtMs,
      writes: 0,
    };
  }

  reset(): void {}

  reached(): Promise<boolean> {
    return Promise.resolve(this.subscribed === this.opts.connections.length);
  }

  stop(): Promise<void> {
    this.stopping = true;
    for (const s of this.sockets) s.destroy();
    return Promise.resolve();
  }
}
