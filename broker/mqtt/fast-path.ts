// The two packets that are nearly all of a module's MQTT traffic, read without aedes: a QoS 1 PUBLISH to the
// client's own telemetry topic, and the PUBACK of a hub delivery. aedes reads a connection by handing each chunk
// to an mqtt-packet parser, which goes through a buffer list, a state machine with debug calls, a packet object,
// and per packet a promise or an immediate; for one message in flight per connection that was most of the hub's
// user-space time per message (bench/README.md, "The misses"). The fast path wraps that parser's `parse`: it
// frames the chunk into whole packets, handles those two kinds here, and passes every other packet (and
// everything before the CONNACK) to aedes's parser unchanged and in order, so aedes still runs the connect flow,
// subscriptions, pings, twins, methods and every refusal with its log line. A packet this framing does not
// understand (a malformed length) hands the rest of the connection to aedes, which refuses it.
//
// Flow control is aedes's own: a PUBLISH taken here counts as one packet in flight in the client's
// `_parsingBatch`, and aedes reads the socket again only when all of them are answered, as it does for its own.
import type { Client } from 'aedes';
import type { Duplex } from 'node:stream';

/** The aedes 1.x client state the fast path keeps in step with; checked on install. */
interface AedesClientState {
  _parser: { parse(buf: Buffer): unknown };
  _parsingBatch: number;
  _nextBatch: (err?: Error) => void;
  _keepaliveInterval: number;
  _keepaliveTimer: { refresh(): unknown } | null;
  connackSent: boolean;
  connected: boolean;
  errored: boolean;
  conn: Duplex;
  waitForDrain(callback: (err: Error | null) => void): void;
}

export interface FastPathHandlers {
  /**
   * A QoS 1 PUBLISH after the CONNACK. Returns false, having done nothing, for a packet the fast path should not
   * take (aedes then gets it); otherwise `done` runs once the message is durable, or with the reason it is not.
   */
  readonly publish: (client: Client, topic: string, payload: Buffer, done: (err: Error | null) => void) => boolean;
  /** A PUBACK of packet `messageId` after the CONNACK. */
  readonly puback: (client: Client, messageId: number) => void;
}

const PUBLISH = 3;
const PUBACK = 0x40;

/**
 * Takes over the hot packets of `client` (just created by aedes's `handle`). Returns false, leaving aedes in
 * charge, when the client does not have the shape this was written against (another aedes version).
 */
export function installFastPath(client: Client, handlers: FastPathHandlers): boolean {
  const state = client as unknown as Partial<AedesClientState>;
  if (
    typeof state._parser?.parse !== 'function' ||
    typeof state._nextBatch !== 'function' ||
    typeof state._parsingBatch !== 'number' ||
    typeof state.waitForDrain !== 'function' ||
    !('connackSent' in state) ||
    !('_keepaliveInterval' in state)
  )
    return false;
  const parser = state._parser;
  const reader = new FastPathReader(client, state as AedesClientState, handlers, parser.parse.bind(parser));
  parser.parse = (buf: Buffer) => reader.read(buf);
  return true;
}

export class FastPathReader {
  /** The start of a packet whose end has not arrived yet, in the chunks it came in. */
  private rest: Buffer[] = [];
  private restBytes = 0;
  /** The whole size of that packet, once its header is in (0 before): until then chunks are only kept. */
  private restNeeds = 0;
  /** The framing met something it does not understand: aedes reads everything from there on. */
  private bypass = false;
  /** Packet ids to acknowledge, in the order their PUBLISHes arrived (commits answer in order). */
  private acks: number[] = [];
  private failure: Error | undefined;
  private flushing = false;
  private readonly flush = (): void => this.answer();

  constructor(
    private readonly client: Client,
    private readonly state: AedesClientState,
    private readonly handlers: FastPathHandlers,
    private readonly aedesParse: (buf: Buffer) => unknown,
  ) {}

  read(chunk: Buffer): number {
    if (this.bypass) {
      this.aedesParse(chunk);
      return 0;
    }
    let buf = chunk;
    if (this.restBytes > 0) {
      this.rest.push(chunk);
      this.restBytes += chunk.length;
      // A large packet comes in many chunks: copy it once, when it is complete.
      if (this.restNeeds > 0 && this.restBytes < this.restNeeds) return 0;
      buf = Buffer.concat(this.rest, this.restBytes);
      this.rest = [];
      this.restBytes = 0;
    }
    this.restNeeds = 0;
    let i = 0;
    /** Where the bytes not yet given to aedes begin (whole packets only). */
    let passFrom = 0;
    let handled = false;
    while (i < buf.length) {
      // Fixed header: type and flags, then the remaining length in 1–4 bytes of 7 bits.
      let length = 0;
      let j = i + 1;
      let complete = false;
      for (let k = 0; k < 4 && j < buf.length; k++) {
        const byte = buf[j++]!;
        length += (byte & 0x7f) * 128 ** k;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        if (j - i > 4) {
          // A fifth length byte: malformed. aedes's parser gets it all and refuses it.
          this.bypass = true;
          this.aedesParse(buf.subarray(passFrom));
          return 0;
        }
        break; // the header continues in the next chunk
      }
      const end = j + length;
      if (end > buf.length) {
        this.restNeeds = end - i;
        break;
      }
      const first = buf[i]!;
      if (this.state.connackSent) {
        let taken = false;
        if (first >> 4 === PUBLISH && ((first >> 1) & 3) === 1) taken = this.publish(buf, i, passFrom, j, end);
        else if (first === PUBACK && length === 2) {
          if (passFrom < i) this.aedesParse(buf.subarray(passFrom, i));
          this.handlers.puback(this.client, buf.readUInt16BE(j));
          taken = true;
        }
        if (taken) {
          passFrom = end;
          handled = true;
        }
      }
      i = end;
    }
    if (passFrom < i) this.aedesParse(buf.subarray(passFrom, i));
    if (i < buf.length) {
      this.rest.push(buf.subarray(i));
      this.restBytes = buf.length - i;
    }
    // aedes refreshes the keep-alive timer for each packet it handles; these count as well.
    if (handled && this.state._keepaliveInterval > 0) this.state._keepaliveTimer?.refresh();
    return 0;
  }

  /** A QoS 1 PUBLISH in `buf[start, end)`, body from `body`: ingested here, or false for aedes. */
  private publish(buf: Buffer, start: number, passFrom: number, body: number, end: number): boolean {
    if (end - body < 4) return false;
    const topicEnd = body + 2 + buf.readUInt16BE(body);
    if (topicEnd + 2 > end) return false;
    const messageId = buf.readUInt16BE(topicEnd);
    if (messageId === 0) return false; // MQTT-2.3.1-1: aedes refuses it
    const topic = buf.toString('utf8', body + 2, topicEnd);
    // aedes refuses wildcards in a PUBLISH topic; leave those to it, with its error.
    if (topic.includes('+') || topic.includes('#')) return false;
    // Packets before this one go first, so that aedes starts them in the order they came.
    if (passFrom < start) this.aedesParse(buf.subarray(passFrom, start));
    const state = this.state;
    state._parsingBatch++;
    const taken = this.handlers.publish(this.client, topic, buf.subarray(topicEnd + 2, end), (err) =>
      this.answered(messageId, err),
    );
    if (!taken) state._parsingBatch--;
    return taken;
  }

  private answered(messageId: number, err: Error | null): void {
    if (err) this.failure ??= err;
    else this.acks.push(messageId);
    if (!this.flushing) {
      this.flushing = true;
      // After the whole commit's callbacks: their PUBACKs leave in one write, and reading resumes outside them.
      process.nextTick(this.flush);
    }
  }

  /** Writes the PUBACKs answered since the last flush, then lets aedes read on (or fail the connection). */
  private answer(): void {
    this.flushing = false;
    const ids = this.acks;
    this.acks = [];
    const failure = this.failure;
    this.failure = undefined;
    const state = this.state;
    let drained = true;
    if (ids.length > 0 && state.connected) {
      const out = Buffer.allocUnsafe(4 * ids.length);
      for (let k = 0; k < ids.length; k++) {
        out[4 * k] = PUBACK;
        out[4 * k + 1] = 2;
        out.writeUInt16BE(ids[k]!, 4 * k + 2);
      }
      drained = state.conn.write(out) || state.errored;
    }
    const last = ids.length - 1;
    for (let k = 0; k < last; k++) state._nextBatch();
    if (last >= 0) {
      // A full socket buffer: aedes reads again only when it drains, as after its own writes.
      if (drained) state._nextBatch();
      else state.waitForDrain((e) => state._nextBatch(e ?? undefined));
    }
    if (failure) state._nextBatch(failure);
  }
}
