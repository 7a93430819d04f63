// The little MQTT 3.1.1 a lean load process needs: CONNECT and SUBSCRIBE from mqtt-packet, a frame splitter
// for what comes back, and PUBLISH packets stamped from a pre-built template (only the packet id and the
// timestamp change), so a client spends microseconds, not tens of microseconds, per message.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import mqttPacket from 'mqtt-packet';
import type { ConnectSpec, Endpoint, Variant } from './protocol.js';

export const PacketType = { connack: 2, publish: 3, puback: 4, suback: 9, pingresp: 13 } as const;

/** Opens a socket with Nagle off (NOTES: a 4 KB message otherwise waits ~3 ms). */
export function openSocket(endpoint: Endpoint): Socket {
  const socket = endpoint.tls
    ? tlsConnect({ host: endpoint.host, port: endpoint.port, ca: endpoint.tls.ca, servername: endpoint.tls.servername })
    : netConnect({ host: endpoint.host, port: endpoint.port });
  socket.setNoDelay(true);
  return socket;
}

export function connectPacket(spec: ConnectSpec): Buffer {
  return mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clientId: spec.clientId,
    clean: spec.clean,
    keepalive: spec.keepalive,
    ...(spec.username !== undefined ? { username: spec.username } : {}),
    ...(spec.password !== undefined ? { password: Buffer.from(spec.password) } : {}),
  });
}

export function subscribePacket(messageId: number, filters: readonly string[]): Buffer {
  return mqttPacket.generate({
    cmd: 'subscribe',
    messageId,
    subscriptions: filters.map((topic) => ({ topic, qos: 1 as const })),
  });
}

export const DISCONNECT = Buffer.from([0xe0, 0x00]);

/** Splits a byte stream into MQTT packets: (type, flags, body). */
export class FrameReader {
  private rest: Buffer | undefined;

  constructor(private readonly onFrame: (type: number, flags: number, body: Buffer) => void) {}

  push(chunk: Buffer): void {
    const b = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    let off = 0;
    for (;;) {
      if (b.length - off < 2) break;
      let i = off + 1;
      let len = 0;
      let mul = 1;
      let complete = false;
      for (let n = 0; n < 4 && i < b.length; n++) {
        const byte = b[i++]!;
        len += (byte & 0x7f) * mul;
        mul *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        if (i - off > 4) throw new Error('malformed remaining length');
        break;
      }
      if (b.length - i < len) break;
      const head = b[off]!;
      this.onFrame(head >> 4, head & 0x0f, b.subarray(i, i + len));
      off = i + len;
    }
    this.rest = off < b.length ? Buffer.from(b.subarray(off)) : undefined;
  }
}

/** Where the received publish's packet id and payload are, given its fixed-header flags and body. */
export function publishView(flags: number, body: Buffer): { qos: number; messageId: number; payloadAt: number } {
  const qos = (flags >> 1) & 3;
  const topicLength = body.readUInt16BE(0);
  if (qos === 0) return { qos, messageId: 0, payloadAt: 2 + topicLength };
  return { qos, messageId: body.readUInt16BE(2 + topicLength), payloadAt: 4 + topicLength };
}

/** PUBACKs for the given packet ids, in one buffer (one write per socket read). */
export function pubacks(ids: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(ids.length * 4);
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]!;
    out[k * 4] = 0x40;
    out[k * 4 + 1] = 0x02;
    out[k * 4 + 2] = id >> 8;
    out[k * 4 + 3] = id & 0xff;
  }
  return out;
}

// Payloads: `{"ts":"<16 hex digits: microseconds of the monotonic clock>",<fields>,"pad":"xxx…"}`, exactly
// `size` bytes. The clock (process.hrtime) is system-wide on Linux, so publisher and subscriber processes agree.
export const TS_OFFSET = 7;
const TS_DIGITS = 16;

export function makePayload(size: number, fields: Readonly<Record<string, boolean | number | string>>): Buffer {
  const head = `{"ts":"${'0'.repeat(TS_DIGITS)}"`;
  const middle = Object.entries(fields)
    .map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join('');
  const tail = ',"pad":""}';
  const fixed = head.length + middle.length + tail.length;
  if (fixed > size) throw new Error(`payload of ${size} bytes cannot hold ${fixed} bytes of fields`);
  const text = `${head}${middle},"pad":"${'x'.repeat(size - fixed)}"}`;
  JSON.parse(text); // a broken payload would be a bench bug: fail early
  return Buffer.from(text, 'latin1');
}

export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export function readTimestampUs(body: Buffer, payloadAt: number): number {
  return parseInt(body.toString('latin1', payloadAt + TS_OFFSET, payloadAt + TS_OFFSET + TS_DIGITS), 16);
}

/** A QoS 1 PUBLISH built once; `stamp` writes copies with a packet id and the current timestamp. */
export class PublishTemplate {
  private readonly packet: Buffer;
  private readonly idAt: number;
  private readonly tsAt: number;

  constructor(variant: Variant) {
    const payload = makePayload(variant.size, variant.fields);
    this.packet = mqttPacket.generate({
      cmd: 'publish',
      topic: variant.topic,
      payload,
      qos: 1,
      messageId: 1,
      retain: false,
      dup: false,
    });
    this.idAt = this.packet.length - payload.length - 2;
    this.tsAt = this.packet.length - payload.length + TS_OFFSET;
  }

  get length(): number {
    return this.packet.length;
  }

  /** Copies the packet into `out` at `at` with packet id `id` and timestamp text `ts` (16 hex digits). */
  stamp(out: Buffer, at: number, id: number, ts: string): void {
    this.packet.copy(out, at);
    out[at + this.idAt] = id >> 8;
    out[at + this.idAt + 1] = id & 0xff;
    out.write(ts, at + this.tsAt, TS_DIGITS, 'latin1');
  }
}

export function timestampText(us: number): string {
  return us.toString(16).padStart(TS_DIGITS, '0');
}
