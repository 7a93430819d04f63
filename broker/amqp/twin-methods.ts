// Twin and direct-method links over AMQP (reference/protocol.md §4.5–4.6), plugged into the AMQP head through its
// `twinMethods` hook. Twin: requests arrive pre-settled on the client's sender to `.../twin` with annotations
// `operation` (GET, PATCH /properties/reported, PUT/DELETE /notifications/twin/properties/desired) and a string
// correlation-id; answers go out on our sender of the same address with that correlation-id (as a string: the
// SDK looks it up as a map key), annotation `status` and a JSON data section. Desired patches go on that sender
// without a correlation-id. Methods: requests go out on our sender of `.../methods/devicebound` with
// `IoThub-methodname` and a JSON data section; answers come back with `IoThub-status`, and we accept them.
import rhea, { type Connection, type Delivery, type Message as RheaMessage, type Receiver, type Sender } from 'rhea';
import type { Identity } from '../auth/identity.js';
import type { Logger } from '../log.js';
import type { Methods } from '../methods/methods.js';
import type { Twins } from '../twin/twins.js';

/** What the AMQP head calls for links of kind `twin` and `methods` (once authorized for the connection's identity). */
export interface AmqpTwinMethodLinks {
  opened(connection: Connection, identity: Identity, kind: 'twin' | 'methods', link: Sender | Receiver): void;
  /** A message on a receiver of ours; false when that receiver is not a twin or methods link. */
  received(receiver: Receiver, delivery: Delivery, message: RheaMessage): boolean;
  closed(link: Sender | Receiver): void;
  connectionEnded(connection: Connection): void;
}

interface LinkState {
  readonly identity: Identity;
  twinSender?: Sender;
  twinReceiver?: Receiver;
  methodsSender?: Sender;
  methodsReceiver?: Receiver;
  unwatch?: () => void;
  unregister?: () => void;
}

const DESIRED_RESOURCE = '/notifications/twin/properties/desired';

function bodyBytes(m: RheaMessage): Buffer {
  const body = m.body as unknown;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  if (body && typeof body === 'object' && Buffer.isBuffer((body as { content?: unknown }).content)) {
    return (body as { content: Buffer }).content;
  }
  return Buffer.alloc(0);
}

/** A body as one data section: the SDK reads `body.content` and nothing else (reference/protocol.md §4.4). */
function dataSection(bytes: Buffer): unknown {
  return rhea.message.data_section(bytes) as unknown;
}

function correlationString(id: unknown): string | undefined {
  if (typeof id === 'string') return id;
  if (Buffer.isBuffer(id) && id.length === 16) return rhea.uuid_to_string(id);
  if (typeof id === 'number') return String(id);
  return undefined;
}

export class AmqpTwinMethods implements AmqpTwinMethodLinks {
  private readonly byConnection = new Map<Connection, LinkState>();
  private readonly byLink = new Map<Sender | Receiver, LinkState>();

  constructor(
    private readonly twins: Twins,
    private readonly methods: Methods,
    private readonly log: Logger,
  ) {}

  opened(connection: Connection, identity: Identity, kind: 'twin' | 'methods', link: Sender | Receiver): void {
    let s = this.byConnection.get(connection);
    if (!s) this.byConnection.set(connection, (s = { identity }));
    this.byLink.set(link, s);
    const state = s;
    if (kind === 'twin') {
      if (link.is_sender()) state.twinSender = link as Sender;
      else state.twinReceiver = link as Receiver;
      return;
    }
    if (link.is_sender()) {
      state.methodsSender = link as Sender;
      state.unregister?.();
      state.unregister = this.methods.register(identity.id, {
        send: (requestId, methodName, payload) => {
          const sender = state.methodsSender;
          if (!sender?.is_open()) throw new Error(`${identity.id} closed its methods link`);
          const request = {
            correlation_id: requestId,
            application_properties: { 'IoThub-methodname': methodName },
            body: dataSection(payload),
          };
          sender.send(request);
        },
      });
    } else {
      state.methodsReceiver = link as Receiver;
    }
  }

  received(receiver: Receiver, delivery: Delivery, message: RheaMessage): boolean {
    const s = this.byLink.get(receiver);
    if (!s) return false;
    if (receiver === s.twinReceiver) {
      if (!delivery.remote_settled) delivery.accept();
      this.twinRequest(s, message);
      return true;
    }
    // A method answer: accepted (the SDK's send completes on `accepted`), then handed to the caller.
    delivery.accept();
    const rid = correlationString(message.correlation_id);
    const status = Number((message.application_properties as Record<string, unknown> | undefined)?.['IoThub-status']);
    if (rid === undefined || !Number.isInteger(status)) {
      this.log.warn(
        { event: 'amqp.method.response_malformed', client: s.identity.id },
        `${s.identity.id}: method response without correlation-id or integer IoThub-status: ignored`,
      );
      return true;
    }
    this.methods.respond(s.identity.id, rid, status, bodyBytes(message));
    return true;
  }

  private twinRequest(s: LinkState, m: RheaMessage): void {
    const annotations = (m.message_annotations ?? {}) as Record<string, unknown>;
    const operation = annotations.operation;
    const resource = annotations.resource;
    const rid = correlationString(m.correlation_id);
    const id = s.identity;
    const reply = (status: number, body?: unknown) => {
      const sender = s.twinSender;
      if (rid === undefined || !sender?.is_open()) {
        this.log.warn(
          { event: 'amqp.twin.unanswerable', client: id.id, operation: String(operation) },
          `${id.id}: twin request ${rid === undefined ? 'without correlation-id' : 'while no twin receiver is attached'}: not answered`,
        );
        return;
      }
      const out: Record<string, unknown> = { correlation_id: rid, message_annotations: { status } };
      if (body !== undefined) out.body = dataSection(Buffer.from(JSON.stringify(body)));
      sender.send(out as unknown as RheaMessage);
    };
    const refuse = (status: number, message: string) => {
      this.log.warn({ event: 'amqp.twin.refused', client: id.id, status, reason: message }, `${id.id}: ${message}`);
      // The SDK JSON-parses an error body into its error's `message`, then reads `.message` of that (amqp-base
      // translateError: "could not update twin reported properties. <message>").
      reply(status, { errorCode: status, message });
    };
    if (operation === 'GET') {
      reply(200, this.twins.get(id.id));
    } else if (operation === 'PATCH' && resource === '/properties/reported') {
      const result = this.twins.patchReported(id, bodyBytes(m));
      if (result.ok) reply(204);
      else refuse(result.status, `reported patch refused: ${result.message}`);
    } else if (operation === 'PUT' && resource === DESIRED_RESOURCE) {
      if (!s.unwatch) s.unwatch = this.twins.watch(id.id, (patch) => this.sendDesired(s, patch));
      reply(200);
    } else if (operation === 'DELETE' && resource === DESIRED_RESOURCE) {
      s.unwatch?.();
      s.unwatch = undefined;
      reply(200);
    } else {
      refuse(400, `unsupported twin operation ${JSON.stringify(operation)} on ${JSON.stringify(resource)}`);
    }
  }

  private sendDesired(s: LinkState, patch: object): void {
    const sender = s.twinSender;
    if (!sender?.is_open()) return;
    const message = { body: dataSection(Buffer.from(JSON.stringify(patch))) };
    sender.send(message);
  }

  closed(link: Sender | Receiver): void {
    const s = this.byLink.get(link);
    if (!s) return;
    this.byLink.delete(link);
    if (link === s.twinSender) {
      s.twinSender = undefined;
      s.unwatch?.();
      s.unwatch = undefined;
    }
    if (link === s.twinReceiver) s.twinReceiver = undefined;
    if (link === s.methodsSender) {
      s.methodsSender = undefined;
      s.unregister?.();
      s.unregister = undefined;
    }
    if (link === s.methodsReceiver) s.methodsReceiver = undefined;
  }

  connectionEnded(connection: Connection): void {
    const s = this.byConnection.get(connection);
    if (!s) return;
    this.byConnection.delete(connection);
    for (const link of [s.twinSender, s.twinReceiver, s.methodsSender, s.methodsReceiver]) if (link) this.closed(link);
    s.unwatch?.();
    s.unregister?.();
  }
}
