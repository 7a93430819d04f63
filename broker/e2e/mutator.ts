// A small seeded mutator for the MQTT fuzz suite: real packets (mqtt-packet's encoder, or raw bytes where the
// encoder would refuse, e.g. invalid UTF-8), then byte-level and structure-aware mutations. The same seed gives
// the same inputs, so a failure found by the suite can be replayed with EDGEHUB_FUZZ_SEED.
import mqttPacket from 'mqtt-packet';

/** mulberry32: a tiny, fast, seedable generator (quality is plenty for fuzzing). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

/** Who the fuzzer connects as: a module of the hub's configuration, with a valid token. */
export interface FuzzIdentity {
  readonly deviceId: string;
  readonly moduleId: string;
  readonly iothubHostName: string;
  readonly token: string;
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x25, 0x2f, 0x3d, 0x26, 0x23, 0x2b, 0x24];

/** Pieces of property bags: raw and encoded separators, `$` keys, UTF-8, and bad percent-encoding (rarely). */
const BAG_PIECES = [
  'a',
  'key',
  '=',
  '&',
  '$',
  ' ',
  '%24.on=',
  '%24.mid=',
  '%24.cid=',
  '%24.ct=application%2Fjson',
  '%24.ce=utf-8',
  '$.on=',
  '$.to=',
  'iothub-operation=',
  '%20',
  '%3D',
  '%26',
  'é',
  '漢字',
  '🙂',
  '\u0000',
  '\u200b',
  '%C3%A9',
  '.',
  '~',
];
const BAD_BAG_PIECES = ['%', '%Z', '%E0%A4%A', '%ED%A0%80', '/', '+', '#'];

/** Encodes the MQTT variable-length remaining length. */
export function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

/** A PUBLISH with the topic as raw bytes (mqtt-packet would re-encode a string, so invalid UTF-8 needs this). */
export function rawPublish(topic: Buffer, payload: Buffer, qos: 0 | 1, messageId = 1): Buffer {
  const id = qos > 0 ? Buffer.from([messageId >> 8, messageId & 0xff]) : Buffer.alloc(0);
  const len = Buffer.from([topic.length >> 8, topic.length & 0xff]);
  const body = Buffer.concat([len, topic, id, payload]);
  return Buffer.concat([Buffer.from([0x30 | (qos << 1)]), remainingLength(body.length), body]);
}

export class Mutator {
  readonly rng: Rng;
  private messageId = 1;

  constructor(
    seed: number,
    private readonly identity: FuzzIdentity,
  ) {
    this.rng = new Rng(seed);
  }

  private nextId(): number {
    this.messageId = this.messageId === 65535 ? 1 : this.messageId + 1;
    return this.messageId;
  }

  /** A CONNECT the hub accepts. */
  connect(clean = false): Buffer {
    const { deviceId, moduleId, iothubHostName, token } = this.identity;
    return mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean,
      keepalive: 60,
      clientId: `${deviceId}/${moduleId}`,
      username: `${iothubHostName}/${deviceId}/${moduleId}/?api-version=2021-04-12`,
      password: Buffer.from(token),
    });
  }

  /** A property bag built from risky pieces; `bad` allows pieces the hub must refuse. */
  bag(pieces: number, bad = false): string {
    let s = '';
    for (let i = 0; i < pieces; i++)
      s += bad && this.rng.chance(0.05) ? this.rng.pick(BAD_BAG_PIECES) : this.rng.pick(BAG_PIECES);
    return s;
  }

  /** The module's own telemetry topic with a bag. */
  eventsTopic(bag: string): string {
    return `devices/${this.identity.deviceId}/modules/${this.identity.moduleId}/messages/events/${bag}`;
  }

  /** A well-formed packet a connected module might send, with fuzzed content where the hub must cope. */
  validPacket(): Buffer {
    const r = this.rng;
    const kind = r.int(100);
    if (kind < 55) {
      const qos = r.chance(0.7) ? 1 : 0;
      const payload = r.chance(0.1) ? r.bytes(r.int(8192)) : r.bytes(r.int(64));
      if (r.chance(0.1)) {
        // Invalid UTF-8 in the bag of a topic that is otherwise ours.
        const topic = Buffer.concat([Buffer.from(this.eventsTopic('k=')), r.bytes(1 + r.int(16)), Buffer.from('/')]);
        return rawPublish(topic, payload, qos, this.nextId());
      }
      return this.publish(this.eventsTopic(this.bag(r.int(12)) + (r.chance(0.5) ? '/' : '')), qos, payload);
    }
    if (kind < 65) {
      const { deviceId, moduleId } = this.identity;
      const own = [
        `devices/${deviceId}/modules/${moduleId}/inputs/#`,
        '$iothub/methods/POST/#',
        '$iothub/twin/res/#',
        '$iothub/twin/PATCH/properties/desired/#',
      ];
      return mqttPacket.generate({
        cmd: 'subscribe',
        messageId: this.nextId(),
        subscriptions: [{ topic: r.pick(own), qos: r.pick([0, 1, 2] as const) }],
      });
    }
    if (kind < 72) return mqttPacket.generate({ cmd: 'pingreq' });
    if (kind < 80) return mqttPacket.generate({ cmd: 'puback', messageId: 1 + r.int(65535) });
    if (kind < 85) {
      // Rarely: a bag the hub must refuse (bad percent-encoding, a `/`, a wildcard): the connection ends.
      if (r.chance(0.1)) return this.publish(this.eventsTopic(this.bag(1 + r.int(6), true)), 1);
      return mqttPacket.generate({
        cmd: 'unsubscribe',
        messageId: this.nextId(),
        unsubscriptions: [`devices/${this.identity.deviceId}/modules/${this.identity.moduleId}/inputs/#`],
      });
    }
    if (kind < 86) {
      // Twin requests: the hub has no twin yet; it refuses or ignores them, and must not fall over.
      return mqttPacket.generate({
        cmd: 'publish',
        topic: `$iothub/twin/GET/?$rid=${r.int(1e6)}`,
        payload: Buffer.alloc(0),
        qos: 0,
        retain: false,
        dup: false,
      });
    }
    return mqttPacket.generate({
      cmd: 'publish',
      topic: this.eventsTopic(this.bag(r.int(4))),
      payload: r.bytes(r.int(32)),
      qos: 2,
      messageId: this.nextId(),
      retain: r.chance(0.5),
      dup: r.chance(0.5),
    });
  }

  private publish(topic: string, qos: 0 | 1, payload: Buffer = this.rng.bytes(this.rng.int(64))): Buffer {
    return mqttPacket.generate({
      cmd: 'publish',
      topic,
      payload,
      qos,
      messageId: this.nextId(),
      retain: false,
      dup: false,
    });
  }

  /** A real packet of any kind, CONNECT included, as the start of a mutation. */
  seedPacket(): Buffer {
    return this.rng.chance(0.25) ? this.connect(this.rng.chance(0.5)) : this.validPacket();
  }

  /** One to four byte-level mutations of `packet`. */
  mutate(packet: Buffer): Buffer {
    const r = this.rng;
    let b = Buffer.from(packet);
    for (let n = 1 + r.int(4); n > 0; n--) {
      const op = r.int(10);
      const at = b.length === 0 ? 0 : r.int(b.length);
      switch (op) {
        case 0: // bit flip
          if (b.length > 0) b[at]! ^= 1 << r.int(8);
          break;
        case 1: // interesting byte
          if (b.length > 0) b[at] = r.pick(INTERESTING);
          break;
        case 2: // random byte
          if (b.length > 0) b[at] = r.int(256);
          break;
        case 3: // truncate
          b = b.subarray(0, at);
          break;
        case 4: // insert random bytes
          b = Buffer.concat([b.subarray(0, at), r.bytes(1 + r.int(16)), b.subarray(at)]);
          break;
        case 5: // delete a range
          b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r.int(16)))]);
          break;
        case 6: // duplicate a range
          b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + 1 + r.int(32)), b.subarray(at)]);
          break;
        case 7: // a huge or wrong remaining length
          b = Buffer.concat([
            b.subarray(0, 1),
            r.chance(0.5) ? Buffer.from([0xff, 0xff, 0xff, 0x7f]) : remainingLength(r.int(1 << 28)),
            b.subarray(1 + lengthFieldBytes(b)),
          ]);
          break;
        case 8: // a wrong two-byte length (topic, client id, username)
          if (b.length > 4) b.writeUInt16BE(r.int(65536), Math.min(b.length - 2, 2 + r.int(Math.max(1, b.length - 3))));
          break;
        default: // splice with another real packet
          b = Buffer.concat([b.subarray(0, at), this.validPacket().subarray(r.int(8))]);
      }
    }
    return b;
  }

  /** A SUBSCRIBE with `n` filters, none of them the module's own (each is refused). */
  manyFilters(n: number): Buffer {
    const subscriptions = Array.from({ length: n }, (_, i) => ({
      topic: `fuzz/${i}/${this.bag(2)}/#`,
      qos: 1 as const,
    }));
    return mqttPacket.generate({ cmd: 'subscribe', messageId: this.nextId(), subscriptions });
  }

  /** A SUBSCRIBE with the module's inputs filter `n` times over (each is allowed). */
  manyOwnFilters(n: number): Buffer {
    const topic = `devices/${this.identity.deviceId}/modules/${this.identity.moduleId}/inputs/#`;
    const subscriptions = Array.from({ length: n }, () => ({ topic, qos: 1 as const }));
    return mqttPacket.generate({ cmd: 'subscribe', messageId: this.nextId(), subscriptions });
  }

  /** A telemetry PUBLISH whose bag holds `n` application properties (kept under the 65,535-byte topic). */
  manyProperties(n: number): Buffer {
    const pairs: string[] = [];
    for (let i = 0; i < n; i++) pairs.push(`${i.toString(36)}=${this.rng.pick(['', '1', '=', 'é', '%20'])}`);
    return mqttPacket.generate({
      cmd: 'publish',
      topic: this.eventsTopic(pairs.join('&').slice(0, 60_000)),
      payload: Buffer.from('many properties'),
      qos: 1,
      messageId: this.nextId(),
      retain: false,
      dup: false,
    });
  }
}

/** Bytes of the remaining-length field at offset 1 of a packet (1 to 4; what is there, however wrong). */
function lengthFieldBytes(b: Buffer): number {
  let n = 0;
  while (n < 4 && 1 + n < b.length && (b[1 + n]! & 0x80) !== 0) n++;
  return Math.min(n + 1, Math.max(0, b.length - 1));
}
