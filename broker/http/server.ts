// The hub's HTTPS listener (443: the SDK hard-codes that port for MqttWs, AmqpWs and invokeMethod). WebSocket
// upgrades at `/$iothub/websocket` carry MQTT (subprotocol `mqtt`) or AMQP (`AMQPWSB10`) to the protocol heads as
// byte streams; plain HTTPS requests go through a small router (the REST routes of twins and methods go there),
// which answers 404 with a JSON body for anything it does not know.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log.js';
import { MAX_MESSAGE_SIZE } from '../core/message.js';
import { listen } from '../net/listen.js';

export const WEBSOCKET_PATH = '/$iothub/websocket';

/** The protocol heads that take WebSocket streams. */
export interface StreamHeads {
  readonly mqtt: (stream: Duplex) => void;
  readonly amqp: (stream: Duplex, remote: string) => void;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: readonly string[]) => void;

interface Route {
  readonly method: string;
  readonly path: RegExp;
  readonly handler: RouteHandler;
}

/** Writes a JSON answer (the reference hub answers `application/json; charset=utf-8`). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export class HttpsHead {
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly routes: Route[] = [];
  private readonly sockets = new Set<Socket>();
  private closed: Promise<void> | undefined;

  constructor(
    tls: { readonly cert: string; readonly key: string },
    private readonly heads: StreamHeads,
    private readonly log: Logger,
  ) {
    this.server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => this.request(req, res));
    this.server.on('secureConnection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('tlsClientError', (err) =>
      log.info({ event: 'https.tls.error', err: err.message }, `TLS handshake failed: ${err.message}`),
    );
    this.wss = new WebSocketServer({
      noServer: true,
      // A WebSocket message holds AMQP frames (64 KB at most) or MQTT packets (one message and its topic).
      maxPayload: 2 * MAX_MESSAGE_SIZE,
      handleProtocols: (protocols) =>
        protocols.has('mqtt') ? 'mqtt' : protocols.has('AMQPWSB10') ? 'AMQPWSB10' : false,
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  /** Adds a route for plain HTTPS requests; `path` is matched against the path without the query. */
  route(method: string, path: RegExp, handler: RouteHandler): void {
    this.routes.push({ method, path, handler });
  }

  async listen(port: number, host: string): Promise<number> {
    return listen(this.server, port, host, 'HTTPS and WebSockets');
  }

  /** Replaces the TLS key pair for new connections (certificate rotation). */
  setTlsCredentials(cert: string, key: string): void {
    this.server.setSecureContext({ cert, key });
  }

  private request(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    for (const r of this.routes) {
      if (r.method !== req.method) continue;
      const m = r.path.exec(path);
      if (m) {
        r.handler(req, res, m.slice(1));
        return;
      }
    }
    sendJson(res, 404, { message: `no route for ${req.method ?? '?'} ${path.slice(0, 200)}` });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    const offered = String(req.headers['sec-websocket-protocol'] ?? '');
    const refuse = (status: number, why: string) => {
      this.log.warn({ event: 'https.upgrade.refused', path: path?.slice(0, 200), offered: offered.slice(0, 100) }, why);
      socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Bad Request'}\r\nConnection: close\r\n\r\n`);
    };
    if (path !== WEBSOCKET_PATH) {
      refuse(404, `WebSocket upgrade refused: only ${WEBSOCKET_PATH} is served`);
      return;
    }
    if (!/(^|,)\s*(mqtt|AMQPWSB10)\s*(,|$)/.test(offered)) {
      refuse(400, `WebSocket upgrade refused: subprotocol "${offered.slice(0, 100)}" is neither mqtt nor AMQPWSB10`);
      return;
    }
    (socket as Socket).setNoDelay?.(true);
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => {}); // the heads see the stream end; an unhandled error must not end the process
      const remote = `${req.socket.remoteAddress}:${req.socket.remotePort} (WebSocket)`;
      if (ws.protocol === 'mqtt') this.heads.mqtt(stream);
      else this.heads.amqp(stream, remote);
    });
  }

  /** Stops accepting; open connections are closed by their heads, and the rest here. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
      this.wss.close();
    });
    return this.closed;
  }
}
