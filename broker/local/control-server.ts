// The operator's control socket: a unix socket in the data folder (`control.sock`, mode 0600), on which the
// `edgehub twin` and `edgehub method` commands reach the running hub. It never listens on the network: who may
// read the data folder (which holds the device key) may use it, nobody else.
//   GET  /twins/{module}                           → {desired, reported}
//   POST /methods/{module}/{method}[?timeout=S]     body: the payload (JSON)  → {status, payload}
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { METHOD_LIMITS, methodNameProblem, type Methods } from '../methods/methods.js';
import type { Twins } from '../twin/twins.js';

export interface ControlContext {
  readonly deviceId: string;
  readonly twins: Twins;
  readonly methods: Methods;
  readonly log: Logger;
  /** Whether a module is in the current configuration. */
  readonly knownModule: (moduleId: string) => boolean;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body) + '\n');
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function segment(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

async function serve(ctx: ControlContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://control');
  const parts = url.pathname.split('/').slice(1).map(segment);
  if (parts.some((p) => p === undefined || p === '')) {
    send(res, 400, { message: `bad path "${url.pathname.slice(0, 200)}"` });
    return;
  }
  const [kind, moduleId, methodName] = parts as string[];
  if (kind === 'twins' && parts.length === 2 && req.method === 'GET') {
    if (!ctx.knownModule(moduleId!)) {
      send(res, 404, { message: `module "${moduleId!.slice(0, 100)}" is not in the deployment manifest` });
      return;
    }
    send(res, 200, ctx.twins.get(`${ctx.deviceId}/${moduleId}`));
    return;
  }
  if (kind === 'methods' && parts.length === 3 && req.method === 'POST') {
    const problem = methodNameProblem(methodName);
    if (problem) {
      send(res, 400, { message: problem });
      return;
    }
    const body = await readBody(req, METHOD_LIMITS.payloadBytes);
    if (!body) {
      send(res, 413, { message: `payload over ${METHOD_LIMITS.payloadBytes} bytes` });
      return;
    }
    let payload: unknown = null;
    if (body.length > 0) {
      try {
        payload = JSON.parse(body.toString('utf8'));
      } catch (err) {
        send(res, 400, { message: `payload is not valid JSON: ${(err as Error).message}` });
        return;
      }
    }
    const timeout = Number(url.searchParams.get('timeout') ?? METHOD_LIMITS.defaultResponseTimeoutSeconds);
    if (!Number.isFinite(timeout) || timeout <= 0 || timeout > METHOD_LIMITS.maxTimeoutSeconds) {
      send(res, 400, { message: `timeout must be 1–${METHOD_LIMITS.maxTimeoutSeconds} seconds` });
      return;
    }
    const outcome = await ctx.methods.invoke(`${ctx.deviceId}/${moduleId}`, {
      methodName: methodName!,
      payload,
      responseTimeoutInSeconds: timeout,
      connectTimeoutInSeconds: 0,
    });
    ctx.log.info(
      { event: 'method.invoked', caller: 'control', target: moduleId, method: methodName, status: outcome.status },
      `operator → ${moduleId} method "${methodName}": ${outcome.kind === 'answer' ? `status ${outcome.status}` : outcome.message}`,
    );
    if (outcome.kind === 'answer') send(res, 200, { status: outcome.status, payload: outcome.payload });
    else send(res, outcome.status, { message: outcome.message });
    return;
  }
  send(res, 404, { message: 'GET /twins/{module} or POST /methods/{module}/{method}' });
}

export class ControlServer {
  private constructor(
    private readonly server: Server,
    readonly path: string,
  ) {}

  /** Listens on `path` (a stale socket file of an earlier run is replaced). */
  static async listen(ctx: ControlContext, path: string): Promise<ControlServer> {
    const server = createServer((req, res) => {
      serve(ctx, req, res).catch((err: Error) => {
        ctx.log.error({ event: 'control.failed', err: err.message }, `control request failed: ${err.message}`);
        if (!res.headersSent) send(res, 500, { message: err.message });
      });
    });
    if (existsSync(path)) unlinkSync(path);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, 0o600);
    return new ControlServer(server, path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
