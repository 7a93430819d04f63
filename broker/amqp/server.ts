// The AMQP 1.0 head: rhea as the protocol engine, behind a TLS listener (5671, what the SDK's `Amqp` uses), an
// optional plain one (tools, benchmarks) and WebSocket streams handed over by the HTTPS listener (`AmqpWs`).
// A connection may start with the plain AMQP header (the SDK: no SASL) or SASL ANONYMOUS/PLAIN; either way it is
// nobody until a CBS put-token on `$cbs` names its identity, and every later link must name that identity.
// Telemetry is accepted only after the store commit that holds it (reference/protocol.md §4, core/README.md).
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import rhea, {
  type Connection,
  type ConnectionOptions,
  type Container,
  type Delivery,
  type EventContext,
  type Message as RheaMessage,
  type Receiver,
  type Sender,
} from 'rhea';
import { authenticateToken, type Identity } from '../auth/identity.js';
import { MAX_MESSAGE_SIZE, SystemProperty } from '../core/message.js';
import type { QueueEntry } from '../core/ports.js';
import { acceptFromClient } from '../heads/accept-from-client.js';
import { listen } from '../net/listen.js';
import { parseLinkAddress } from './addresses.js';
import { parsePutToken, putTokenReply } from './cbs.js';
import type { AmqpContext } from './context.js';
import { AmqpInputTarget, type Outcome } from './input-target.js';
import { AmqpMessageError, fromAmqp, type AmqpMessage } from './message-mapping.js';

export interface AmqpListenOptions {
  readonly host: string;
  /** TLS listener (5671); the key pair is the hub's server certificate. */
  readonly tls?: { readonly port: number; readonly cert: string; readonly key: string };
  /** Plain TCP listener; off unless asked for. */
  readonly plainPort?: number;
}

export interface AmqpPorts {
  readonly amqps?: number;
  readonly amqp?: number;
}

interface AmqpError {
  readonly condition: string;
  readonly description: string;
}

/** A delivery still being assembled past this many bytes ends the connection (it could only be refused). */
const MAX_ASSEMBLY_BYTES = 2 * MAX_MESSAGE_SIZE;
/** How long an abandoned (released) message waits before its queue is handed out again. */
const REDELIVERY_DELAY_MS = 1000;
/** How long a connection we closed may take to answer before its socket is destroyed. */
const CLOSE_GRACE_MS = 1000;

/** One client connection: who it is once its put-token succeeded, and what it holds open. */
class ClientConnection {
  identity: Identity | undefined;
  links = 0;
  sessions = 0;
  cbsSender: Sender | undefined;
  cbsReceiver: Receiver | undefined;
  input: AmqpInputTarget | undefined;
  authTimer: NodeJS.Timeout | undefined;
  expiryTimer: NodeJS.Timeout | undefined;
  redeliveryTimer: NodeJS.Timeout | undefined;
  closing = false;
  done = false;
  /** rhea has reported the disconnect (and cleared its timers). */
  disconnected = false;

  constructor(
    readonly connection: Connection,
    readonly socket: Duplex,
    readonly remote: string,
  ) {}

  /** For logs: the identity once known, else the peer address. */
  get who(): string {
    return this.identity?.id ?? this.remote;
  }
}

export class AmqpHead {
  private readonly container: Container;
  private readonly clients = new Set<ClientConnection>();
  private readonly servers: (NetServer | TlsServer)[] = [];
  private accepting = true;
  private serversClosed: Promise<void> | undefined;

  constructor(private readonly ctx: AmqpContext) {
    this.container = rhea.create_container({ id: 'edgehub', autoaccept: false });
    ctx.metrics.countConnected('amqp', () => {
      let n = 0;
      for (const c of this.clients) if (c.identity) n++;
      return n;
    });
    // The SDK sends no SASL header; other clients may offer ANONYMOUS or PLAIN. Neither says who the client is:
    // that is the CBS put-token's job, so PLAIN credentials are accepted as they are and not used.
    const mechanisms = this.container.sasl_server_mechanisms as {
      enable_anonymous(): void;
      enable_plain(check: () => boolean): void;
    };
    mechanisms.enable_anonymous();
    mechanisms.enable_plain(() => true);
    // Last resort: rhea throws an 'error' event no connection handled; it must never end the process.
    this.container.on('error', (err: Error) =>
      ctx.log.info({ event: 'amqp.error', err: err.message }, `AMQP: ${err.message}`),
    );
  }

  async listen(opts: AmqpListenOptions): Promise<AmqpPorts> {
    const ports: { amqps?: number; amqp?: number } = {};
    if (opts.tls) {
      const tls = createTlsServer({ cert: opts.tls.cert, key: opts.tls.key }, (socket: TLSSocket) =>
        this.accept(socket, `${socket.remoteAddress}:${socket.remotePort}`),
      );
      tls.on('tlsClientError', (err) =>
        this.ctx.log.info({ event: 'amqp.tls.error', err: err.message }, `TLS handshake failed: ${err.message}`),
      );
      ports.amqps = await this.bind(tls, opts.tls.port, opts.host, 'AMQP over TLS');
    }
    if (opts.plainPort !== undefined) {
      const plain = createNetServer((socket) => this.accept(socket, `${socket.remoteAddress}:${socket.remotePort}`));
      ports.amqp = await this.bind(plain, opts.plainPort, opts.host, 'plain AMQP');
    }
    return ports;
  }

  private async bind(server: NetServer | TlsServer, port: number, host: string, what: string): Promise<number> {
    const bound = await listen(server, port, host, what);
    this.servers.push(server);
    return bound;
  }

  /** Replaces the TLS key pair for new connections (certificate rotation). */
  setTlsCredentials(cert: string, key: string): void {
    for (const s of this.servers) if ('setSecureContext' in s) s.setSecureContext({ cert, key });
  }

  /** Serves one client on `socket`: a TCP or TLS socket, or a WebSocket stream (AMQPWSB10). */
  accept(socket: Duplex, remote: string): void {
    socket.on('error', () => {}); // rhea reports socket errors as disconnects; an unhandled one must not end the process
    if (!this.accepting) {
      socket.destroy();
      return;
    }
    if (!this.ctx.ready()) {
      // Closing before the open makes the SDK's open() fail with NotConnectedError, which it retries.
      this.ctx.log.info({ event: 'amqp.connect.unavailable', remote }, 'hub not ready yet: connection closed');
      socket.destroy();
      return;
    }
    if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') (socket as Socket).setNoDelay(true);
    const l = this.ctx.limits;
    const connection = this.container.create_connection({
      max_frame_size: l.maxFrameSize,
      channel_max: l.maxSessions - 1,
      idle_time_out: l.idleTimeoutMs,
    } as ConnectionOptions);
    const c = new ClientConnection(connection, socket, remote);
    this.clients.add(c);
    this.handle(c);
    // rhea types no server-side accept; it reads and writes any stream with socket-like events.
    (connection as unknown as { accept(socket: Duplex): void }).accept(socket);
    // After rhea's own 'data' listener: bound what rhea buffers for frames and deliveries not yet complete.
    socket.on('data', () => this.checkAssembly(c));
    // rhea notices a peer's end but not a socket we destroyed: tell it, so it clears its heartbeat timers.
    socket.once('close', () => {
      if (!c.disconnected) (connection as unknown as { eof(): void }).eof();
    });
    c.authTimer = setTimeout(() => {
      if (!c.identity)
        this.refuseConnection(c, 'amqp.connect.timeout', {
          condition: 'amqp:unauthorized-access',
          description: `no CBS put-token within ${l.authTimeoutMs} ms`,
        });
    }, l.authTimeoutMs);
    c.authTimer.unref();
  }

  private handle(c: ClientConnection): void {
    const conn = c.connection;
    const log = this.ctx.log;
    conn.on('session_open', () => {
      if (++c.sessions > this.ctx.limits.maxSessions) {
        this.refuseConnection(c, 'amqp.limit.sessions', {
          condition: 'amqp:resource-limit-exceeded',
          description: `more than ${this.ctx.limits.maxSessions} sessions on one connection`,
        });
      }
    });
    conn.on('session_close', () => c.sessions--);
    conn.on('receiver_open', (e: EventContext) => this.receiverOpened(c, e.receiver!));
    conn.on('sender_open', (e: EventContext) => this.senderOpened(c, e.sender!));
    conn.on('receiver_close', (e: EventContext) => this.linkClosed(c, e.receiver!));
    conn.on('sender_close', (e: EventContext) => this.linkClosed(c, e.sender!));
    conn.on('message', (e: EventContext) => this.received(c, e.receiver!, e.delivery!, e.message as AmqpMessage));
    const settled = (outcome: Outcome) => (e: EventContext) => {
      if (c.input && e.sender === c.input.sender) c.input.settled(e.delivery!, outcome);
    };
    conn.on('accepted', settled('accepted'));
    conn.on('rejected', settled('rejected'));
    conn.on('released', settled('released')); // rhea reports `modified` as released
    conn.on('sendable', (e: EventContext) => {
      if (c.input && e.sender === c.input.sender) c.input.sendable();
    });
    const linkError = (e: EventContext) => {
      const err = (e.receiver ?? e.sender ?? e.session)?.error as { description?: string } | undefined;
      log.info(
        { event: 'amqp.link.error', client: c.who, err: err?.description },
        `${c.who}: link closed with an error`,
      );
    };
    conn.on('receiver_error', linkError);
    conn.on('sender_error', linkError);
    conn.on('session_error', linkError);
    conn.on('connection_error', (e: EventContext) => {
      const err = e.connection.error as { condition?: string; description?: string } | undefined;
      log.info(
        { event: 'amqp.connection.error', client: c.who, condition: err?.condition, err: err?.description },
        `${c.who} closed its connection with an error: ${err?.description ?? err?.condition ?? ''}`,
      );
    });
    // Bytes rhea cannot parse (garbage after the header, a bad frame): one line, and the socket goes.
    const broken = (err: Error) => {
      log.warn(
        { event: 'amqp.protocol.error', client: c.who, err: err.message.slice(0, 300) },
        `${c.who}: ${err.message.slice(0, 300)}; connection closed`,
      );
      c.socket.destroy();
      this.finish(c);
    };
    conn.on('protocol_error', broken);
    conn.on('error', broken);
    // rhea answers the client's close on the next tick: the socket must outlive this event a little.
    conn.on('connection_close', () => {
      this.finish(c);
      setTimeout(() => c.socket.destroy(), CLOSE_GRACE_MS).unref();
    });
    conn.on('disconnected', () => {
      c.disconnected = true;
      this.finish(c);
      c.socket.destroy();
    });
  }

  /** The client attached a sender: our receiver. `$cbs` requests, or telemetry to its own events address. */
  private receiverOpened(c: ClientConnection, receiver: Receiver): void {
    if (!this.countLink(c)) return;
    const address = (receiver.target as { address?: string } | undefined)?.address;
    const a = parseLinkAddress(address);
    if (a.kind === 'cbs') {
      c.cbsReceiver = receiver;
      return;
    }
    if (!this.authorizeLink(c, receiver, address, a)) return;
    if (a.kind === 'twin' || a.kind === 'methods') {
      this.ctx.twinMethods?.opened(c.connection, c.identity!, a.kind, receiver); // twin-methods.ts hook
      return;
    }
    if (a.kind !== 'events') {
      this.refuseLink(c, receiver, address, {
        condition: 'amqp:not-found',
        description: `cannot send to "${String(address).slice(0, 200)}"`,
      });
    }
  }

  /** The client attached a receiver: our sender. `$cbs` replies, module inputs, device C2D. */
  private senderOpened(c: ClientConnection, sender: Sender): void {
    if (!this.countLink(c)) return;
    const address = (sender.source as { address?: string } | undefined)?.address;
    const a = parseLinkAddress(address);
    if (a.kind === 'cbs') {
      c.cbsSender = sender;
      return;
    }
    if (!this.authorizeLink(c, sender, address, a)) return;
    const id = c.identity!;
    if (a.kind === 'events' && id.moduleId !== undefined) {
      if (c.input) this.detachInput(c);
      const target = new AmqpInputTarget(sender, id.id, id.moduleId, {
        rejected: (entry, input) => this.rejected(c, entry, input),
        released: (t) => this.redeliverLater(c, t),
      });
      c.input = target;
      this.ctx.endpoints.attachModule(id.moduleId, target);
      return;
    }
    if (a.kind === 'twin' || a.kind === 'methods') {
      this.ctx.twinMethods?.opened(c.connection, id, a.kind, sender); // twin-methods.ts hook
      return;
    }
    // Device C2D stays attached: the hub has no cloud to deliver from yet.
    if (a.kind === 'devicebound') return;
    this.refuseLink(c, sender, address, {
      condition: 'amqp:not-found',
      description: `cannot receive from "${String(address).slice(0, 200)}"`,
    });
  }

  private countLink(c: ClientConnection): boolean {
    if (++c.links <= this.ctx.limits.maxLinks) return true;
    this.refuseConnection(c, 'amqp.limit.links', {
      condition: 'amqp:resource-limit-exceeded',
      description: `more than ${this.ctx.limits.maxLinks} links on one connection`,
    });
    return false;
  }

  /** A link other than `$cbs` needs a put-token first, and must name the connection's own identity. */
  private authorizeLink(
    c: ClientConnection,
    link: Sender | Receiver,
    address: string | undefined,
    a: ReturnType<typeof parseLinkAddress>,
  ): boolean {
    const id = c.identity;
    if (!id) {
      this.refuseLink(c, link, address, {
        condition: 'amqp:unauthorized-access',
        description: 'no identity yet: send a CBS put-token on $cbs first',
      });
      return false;
    }
    if (a.kind === 'unknown' || a.kind === 'cbs') {
      this.refuseLink(c, link, address, {
        condition: 'amqp:not-found',
        description: `unknown link address "${String(address).slice(0, 200)}"`,
      });
      return false;
    }
    const moduleId = a.kind === 'devicebound' ? undefined : a.moduleId;
    if (a.deviceId !== id.deviceId || moduleId !== id.moduleId) {
      this.refuseLink(c, link, address, {
        condition: 'amqp:unauthorized-access',
        description: `${id.id} may not use "${String(address).slice(0, 200)}"`,
      });
      return false;
    }
    if ((a.kind === 'twin' || a.kind === 'methods') && !this.ctx.twinMethods) {
      this.refuseLink(c, link, address, {
        condition: 'amqp:not-implemented',
        description: `${a.kind === 'twin' ? 'module twins' : 'direct methods'} are not served over AMQP yet`,
      });
      return false;
    }
    return true;
  }

  /** rhea has attached the link already; detaching with an error is how AMQP refuses it. */
  private refuseLink(c: ClientConnection, link: Sender | Receiver, address: string | undefined, err: AmqpError): void {
    this.ctx.log.warn(
      { event: 'amqp.link.refused', client: c.who, address: String(address).slice(0, 200), condition: err.condition },
      `${c.who}: link refused: ${err.description}`,
    );
    link.close(err);
  }

  private linkClosed(c: ClientConnection, link: Sender | Receiver): void {
    c.links = Math.max(0, c.links - 1);
    if (link === c.cbsSender) c.cbsSender = undefined;
    if (link === c.cbsReceiver) c.cbsReceiver = undefined;
    if (c.input && link === c.input.sender) this.detachInput(c);
    this.ctx.twinMethods?.closed(link);
  }

  private received(c: ClientConnection, receiver: Receiver, delivery: Delivery, m: AmqpMessage): void {
    if (receiver === c.cbsReceiver) {
      delivery.accept();
      this.putToken(c, m);
      return;
    }
    const id = c.identity;
    if (!id || c.closing) {
      delivery.reject({ condition: 'amqp:unauthorized-access', description: 'no identity' });
      return;
    }
    if (this.ctx.twinMethods?.received(receiver, delivery, m as RheaMessage)) return;
    this.ingest(c, id, delivery, m);
  }

  private putToken(c: ClientConnection, m: AmqpMessage): void {
    const req = parsePutToken(m);
    const reply = (status: number, description: string) => {
      if (c.cbsSender?.is_open()) c.cbsSender.send(putTokenReply(req.messageId, status, description) as RheaMessage);
    };
    if (!req.ok) {
      this.ctx.log.warn({ event: 'amqp.cbs.malformed', client: c.who }, `${c.who}: ${req.description}`);
      reply(400, req.description);
      return;
    }
    const creds = this.ctx.credentials();
    const now = Math.floor(Date.now() / 1000);
    const result = authenticateToken(creds, req.name, req.token, now);
    if (!result.ok) {
      const moduleId = c.identity?.moduleId;
      const known = moduleId !== undefined && creds.modules?.has(moduleId) === true ? c.identity!.id : 'unknown';
      this.ctx.metrics.clientConnectFailed.inc({ id: known, reason: result.reason, ms_telemetry: 'True' });
      this.ctx.log.warn(
        { event: 'amqp.connect.refused', client: c.who, reason: result.reason },
        `put-token refused: ${result.message}`,
      );
      reply(401, result.message);
      return;
    }
    if (c.identity && c.identity.id !== result.identity.id) {
      const why = `this connection is ${c.identity.id}; a token for ${result.identity.id} cannot replace it`;
      this.ctx.log.warn({ event: 'amqp.connect.refused', client: c.who, reason: 'wrong_identity' }, why);
      reply(401, why);
      return;
    }
    const renewal = c.identity !== undefined;
    c.identity = result.identity;
    if (c.authTimer) clearTimeout(c.authTimer);
    this.armExpiry(c, result.expiry);
    if (!renewal) {
      this.ctx.metrics.clientConnectSuccess.inc({ id: result.identity.id });
      this.ctx.log.info({ event: 'amqp.client.connected', client: c.who, remote: c.remote }, `${c.who} connected`);
    } else {
      this.ctx.log.debug({ event: 'amqp.cbs.renewed', client: c.who }, `${c.who} renewed its token`);
    }
    reply(200, 'OK');
  }

  /** A token that expires without a renewal ends the connection, as IoT Hub does. */
  private armExpiry(c: ClientConnection, expiry: number): void {
    if (c.expiryTimer) clearTimeout(c.expiryTimer);
    const ms = Math.min(expiry * 1000 - Date.now(), 2_147_483_647);
    c.expiryTimer = setTimeout(() => {
      if (expiry * 1000 > Date.now()) this.armExpiry(c, expiry);
      else
        this.refuseConnection(c, 'amqp.token.expired', {
          condition: 'amqp:unauthorized-access',
          description: 'the token expired and was not renewed',
        });
    }, ms);
    c.expiryTimer.unref();
  }

  private ingest(c: ClientConnection, id: Identity, delivery: Delivery, m: AmqpMessage): void {
    const ctx = this.ctx;
    let message;
    try {
      message = fromAmqp(m);
    } catch (err) {
      if (!(err instanceof AmqpMessageError)) throw err;
      ctx.log.warn({ event: 'amqp.message.malformed', client: c.who }, `${c.who}: message refused: ${err.message}`);
      delivery.reject({ condition: 'amqp:decode-error', description: err.message });
      return;
    }
    acceptFromClient(ctx, id, message, c.who, 'amqp.message.store_failed', (err, outcome) => {
      if (err) {
        // `released` would read as success to the SDK; internal-error makes it retry the send.
        delivery.reject({ condition: 'amqp:internal-error', description: `not stored: ${err.message}` });
        return;
      }
      if (outcome?.kind === 'oversize') {
        const why = `${outcome.size} bytes is over the ${MAX_MESSAGE_SIZE}-byte limit`;
        ctx.log.warn(
          { event: 'amqp.message.oversize', client: c.who, size: outcome.size },
          `${id.id}: refused: ${why}`,
        );
        delivery.reject({ condition: 'amqp:link:message-size-exceeded', description: why });
        return;
      }
      delivery.accept();
    });
  }

  /** A module rejected a delivery: it is dropped (the entry is released) and counted. */
  private rejected(c: ClientConnection, entry: QueueEntry, input: string): void {
    const sys = entry.message.systemProperties;
    const from = sys[SystemProperty.connectionModuleId]
      ? `${sys[SystemProperty.connectionDeviceId]}/${sys[SystemProperty.connectionModuleId]}`
      : (sys[SystemProperty.connectionDeviceId] ?? '');
    this.ctx.metrics.messagesDropped.inc({
      reason: 'rejected',
      from,
      from_route_output: this.ctx.metrics.outputs.value(sys[SystemProperty.outputName] ?? ''),
      ms_telemetry: 'True',
    });
    this.ctx.log.warn(
      { event: 'amqp.delivery.rejected', client: c.who, endpoint: entry.endpointId },
      `${c.who} rejected a message on input ${input}: dropped`,
    );
  }

  /** A module released (abandoned) a delivery: its queues are handed out again after a pause. */
  private redeliverLater(c: ClientConnection, target: AmqpInputTarget): void {
    if (c.redeliveryTimer) return;
    c.redeliveryTimer = setTimeout(() => {
      c.redeliveryTimer = undefined;
      if (c.input !== target || !target.sender.is_open()) return;
      this.ctx.endpoints.detachModule(target.moduleId, target);
      target.reset();
      this.ctx.endpoints.attachModule(target.moduleId, target);
    }, REDELIVERY_DELAY_MS);
    c.redeliveryTimer.unref();
  }

  private detachInput(c: ClientConnection): void {
    const target = c.input;
    if (!target) return;
    c.input = undefined;
    this.ctx.endpoints.detachModule(target.moduleId, target);
  }

  /** Bounds rhea's buffers: a frame announced bigger than our max-frame-size, or a delivery past twice the limit. */
  private checkAssembly(c: ClientConnection): void {
    if (c.closing) return;
    // rhea keeps these fields while a frame or a multi-frame delivery is incomplete (rhea 3 internals).
    const pendingFrame = (c.connection as unknown as { frame_size?: number }).frame_size;
    if (pendingFrame !== undefined && pendingFrame > this.ctx.limits.maxFrameSize) {
      this.refuseConnection(c, 'amqp.limit.frame', {
        condition: 'amqp:connection:framing-error',
        description: `a frame of ${pendingFrame} bytes is over the ${this.ctx.limits.maxFrameSize}-byte max-frame-size`,
      });
      return;
    }
    let over = false;
    c.connection.each_receiver((r: Receiver) => {
      const frames = (r as unknown as { _incomplete?: { frames?: Buffer[] } })._incomplete?.frames;
      if (!frames) return;
      let size = 0;
      for (const f of frames) size += f?.length ?? 0;
      if (size > MAX_ASSEMBLY_BYTES) over = true;
    });
    if (over) {
      this.refuseConnection(c, 'amqp.limit.message', {
        condition: 'amqp:link:message-size-exceeded',
        description: `a message over ${MAX_ASSEMBLY_BYTES} bytes (the limit is ${MAX_MESSAGE_SIZE})`,
      });
    }
  }

  /** Closes a connection with an error the client can read, and its socket shortly after. */
  private refuseConnection(c: ClientConnection, event: string, err: AmqpError): void {
    if (c.closing) return;
    c.closing = true;
    this.ctx.log.warn({ event, client: c.who, condition: err.condition }, `${c.who}: ${err.description}; closing`);
    try {
      c.connection.close(err);
    } catch {
      // The connection may not be open yet (no open frame received): the socket goes below.
    }
    setTimeout(() => {
      c.socket.destroy();
      this.finish(c);
    }, CLOSE_GRACE_MS).unref();
  }

  /** Forgets a connection that ended: timers, input deliveries, counts (its socket is the caller's). Idempotent. */
  private finish(c: ClientConnection): void {
    if (c.done) return;
    c.done = true;
    this.clients.delete(c);
    for (const t of [c.authTimer, c.expiryTimer, c.redeliveryTimer]) if (t) clearTimeout(t);
    this.detachInput(c);
    this.ctx.twinMethods?.connectionEnded(c.connection);
    if (c.identity) {
      this.ctx.metrics.clientDisconnect.inc({ id: c.identity.id });
      this.ctx.log.info({ event: 'amqp.client.disconnected', client: c.who }, `${c.who} disconnected`);
    }
  }

  /** Closes the connections of identities that may no longer connect (a module removed from the manifest). */
  revoke(allowed: (identity: Identity) => boolean): number {
    let closed = 0;
    for (const c of this.clients) {
      if (c.identity && !allowed(c.identity)) {
        this.refuseConnection(c, 'amqp.client.revoked', {
          condition: 'amqp:unauthorized-access',
          description: `${c.identity.id} is no longer in the deployment manifest`,
        });
        closed++;
      }
    }
    return closed;
  }

  /** Stops accepting connections; those already open go on until close(). */
  stopAccepting(): void {
    this.accepting = false;
    this.serversClosed ??= Promise.all(
      this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    ).then(() => undefined);
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    this.stopAccepting();
    for (const c of [...this.clients]) {
      try {
        c.connection.close();
      } catch {
        // not open yet
      }
      c.socket.destroy();
      this.finish(c);
    }
    await this.serversClosed;
  }
}
