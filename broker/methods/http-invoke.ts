// Module-to-module direct methods over HTTPS (reference/protocol.md §5): `ModuleClient.invokeMethod` posts to the
// gateway on 443, `POST /twins/{d}/modules/{m}/methods` (or `/twins/{d}/methods` for a device), with the caller in
// `x-ms-edge-moduleId` and its own SAS token in `Authorization`. Only modules of this edge device may call.
// Answers are `{status, payload}` (200) as the reference hub sends them, or an error status with a JSON body that
// carries both the reference's `message` and IoT Hub's `Message: "ErrorCode:…;…"`, which the SDK turns into its
// error text.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, identityOf, type Credentials } from '../auth/identity.js';
import type { Logger } from '../log.js';
import { METHOD_LIMITS, parseMethodCall, type Methods } from './methods.js';

export interface MethodsHttpContext {
  readonly credentials: () => Credentials;
  readonly methods: Methods;
  readonly log: Logger;
}

const ROUTE = /^\/twins\/([^/?]+)(?:\/modules\/([^/?]+))?\/methods\/?(?:\?.*)?$/;
/** The route's path (without the query), for the 443 listener's router. */
export const METHODS_PATH = /^\/twins\/[^/]+(?:\/modules\/[^/]+)?\/methods\/?$/;
/** A request body may hold the 128 KB payload plus the other fields. */
const MAX_BODY_BYTES = METHOD_LIMITS.payloadBytes + 4096;

const ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'ArgumentInvalid',
  401: 'IotHubUnauthorizedAccess',
  404: 'DeviceNotOnline',
  405: 'MethodNotAllowed',
  413: 'MessageTooLarge',
  500: 'ServerError',
  504: 'GatewayTimeout',
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function fail(res: ServerResponse, status: number, message: string, code = ERROR_CODES[status] ?? 'Error'): void {
  send(res, status, { message, Message: `ErrorCode:${code};${message.replace(/;/g, ',')}` });
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Whether this request is for the methods route (the 443 listener asks before it answers 404). */
export function isMethodsRequest(req: IncomingMessage): boolean {
  return ROUTE.test(req.url ?? '');
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Serves one request of the methods route; never throws, always answers. */
export async function handleMethodsRequest(
  ctx: MethodsHttpContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    await serve(ctx, req, res);
  } catch (err) {
    ctx.log.error(
      { event: 'method.http.failed', err: (err as Error).message },
      `method request failed: ${(err as Error).message}`,
    );
    if (!res.headersSent) fail(res, 500, `the hub failed to serve this request: ${(err as Error).message}`);
    else res.destroy();
  }
}

async function serve(ctx: MethodsHttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const match = ROUTE.exec(req.url ?? '');
  if (!match) {
    fail(
      res,
      404,
      `no such resource "${(req.url ?? '').slice(0, 200)}": POST /twins/{device}/modules/{module}/methods`,
      'NotFound',
    );
    return;
  }
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    fail(res, 405, `${req.method ?? '?'} is not allowed here: POST a method call`);
    req.resume();
    return;
  }
  const body = await readBody(req);
  if (body === 'too-large') {
    fail(
      res,
      413,
      `request body is over ${MAX_BODY_BYTES} bytes (method payloads are limited to ${METHOD_LIMITS.payloadBytes})`,
    );
    return;
  }
  const creds = ctx.credentials();
  const callerHeader = req.headers['x-ms-edge-moduleid'];
  const caller = typeof callerHeader === 'string' ? identityOf(callerHeader) : undefined;
  if (!caller || caller.moduleId === undefined) {
    fail(res, 400, 'the x-ms-edge-moduleId header must name the calling module as {device}/{module}');
    return;
  }
  if (caller.deviceId !== creds.deviceId) {
    ctx.log.warn(
      { event: 'method.http.refused', caller: String(callerHeader).slice(0, 200), reason: 'other_device' },
      `method call from ${String(callerHeader).slice(0, 200)} refused: not a module of this device`,
    );
    fail(res, 401, `Only modules on the same device (${creds.deviceId}) can invoke methods through this hub`);
    return;
  }
  const callerId = `${caller.deviceId}/${caller.moduleId}`;
  const auth = authenticate(creds, callerId, undefined, req.headers.authorization, Math.floor(Date.now() / 1000));
  if (!auth.ok) {
    ctx.log.warn(
      { event: 'method.http.refused', caller: callerId, reason: auth.reason },
      `method call from ${callerId} refused: ${auth.message}`,
    );
    fail(res, 401, `${callerId} is not authorized: ${auth.message}`);
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    fail(res, 400, `the request body is not valid JSON: ${(err as Error).message}`);
    return;
  }
  const call = parseMethodCall(json);
  if (typeof call === 'string') {
    fail(res, 400, call);
    return;
  }
  const deviceId = decode(match[1]!);
  const moduleId = match[2] === undefined ? undefined : decode(match[2]);
  if (deviceId === undefined || (match[2] !== undefined && moduleId === undefined)) {
    fail(res, 400, 'bad percent-encoding in the target device or module id');
    return;
  }
  if (deviceId !== creds.deviceId) {
    fail(res, 404, `device "${deviceId.slice(0, 100)}" is not this edge device (${creds.deviceId})`, 'DeviceNotFound');
    return;
  }
  const target = moduleId === undefined ? deviceId : `${deviceId}/${moduleId}`;
  const started = Date.now();
  const outcome = await ctx.methods.invoke(target, call, callerId);
  ctx.log.info(
    {
      event: 'method.invoked',
      caller: callerId,
      target,
      method: call.methodName,
      status: outcome.status,
      result: outcome.kind,
      ms: Date.now() - started,
    },
    `${callerId} → ${target} method "${call.methodName}": ${outcome.kind === 'answer' ? `status ${outcome.status}` : outcome.message}`,
  );
  if (outcome.kind === 'answer') send(res, 200, { status: outcome.status, payload: outcome.payload });
  else fail(res, outcome.status, outcome.message);
}
