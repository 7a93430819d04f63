// The shared route vectors (shared/vectors/README.md, copied to routing/testdata/) as router inputs:
// one place for the CLI's `routes eval` and the tests. Validates the shape, since eval reads user input.
import type { RoutableMessage } from './message.js';
import type { Sink } from './statement.js';

export interface ConditionCase {
  readonly kind: 'condition';
  readonly condition: string;
  readonly message: RoutableMessage;
}
export interface RouteCase {
  readonly kind: 'route';
  readonly route: string;
  readonly message: RoutableMessage;
}
export type VectorCase = ConditionCase | RouteCase;

/** A sink as the vectors write it. */
export type VectorSink = { type: 'upstream' } | { type: 'module'; moduleId: string; input: string };

export function vectorSink(sink: Sink): VectorSink {
  return sink.kind === 'upstream'
    ? { type: 'upstream' }
    : { type: 'module', moduleId: sink.moduleId, input: sink.input };
}

type Fields = Record<string, unknown>;

function isObject(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class ShapeError extends Error {}
function need(ok: boolean, message: string): asserts ok {
  if (!ok) throw new ShapeError(message);
}

function bag(v: unknown, what: string, allowNull: boolean): Record<string, string | null> {
  if (v === undefined) return {};
  need(isObject(v), `${what} must be an object of strings`);
  const out: Record<string, string | null> = {};
  for (const [k, x] of Object.entries(v)) {
    need(
      typeof x === 'string' || (allowNull && x === null),
      `${what}.${k} must be a string${allowNull ? ' or null' : ''}`,
    );
    out[k] = x;
  }
  return out;
}

/** Little-endian UTF-16 or UTF-32 (no BOM) for those encodings, UTF-8 for anything else. */
export function encodeText(text: string, encoding: string | undefined): Uint8Array {
  const e = encoding?.toLowerCase();
  if (e === 'utf-16') {
    const out = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      out[2 * i] = c & 0xff;
      out[2 * i + 1] = c >> 8;
    }
    return out;
  }
  if (e === 'utf-32') {
    const points = [...text].map((ch) => ch.codePointAt(0)!);
    const out = new Uint8Array(points.length * 4);
    points.forEach((p, i) => new DataView(out.buffer).setUint32(4 * i, p, true));
    return out;
  }
  return new TextEncoder().encode(text);
}

/** `body`: an object or array is serialised as JSON (keys in order), a string is that exact text. */
export function encodeBody(body: unknown, encoding: string | undefined): Uint8Array {
  if (body === undefined || body === '') return new Uint8Array(0);
  return encodeText(typeof body === 'string' ? body : JSON.stringify(body), encoding);
}

function optionalString(v: unknown, what: string): string | undefined {
  need(v === undefined || v === null || typeof v === 'string', `${what} must be a string or null`);
  return v ?? undefined;
}

function conditionMessage(m: Fields): RoutableMessage {
  const system: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(bag(m.system, 'message.system', true))) if (v !== null) system[k] = v;
  const contentType = optionalString(m.contentType, 'message.contentType');
  const contentEncoding = optionalString(m.contentEncoding, 'message.contentEncoding');
  if (contentType !== undefined) system.contentType = contentType;
  if (contentEncoding !== undefined) system.contentEncoding = contentEncoding;
  return {
    properties: bag(m.properties, 'message.properties', true),
    systemProperties: system,
    body: encodeBody(m.body, contentEncoding),
  };
}

function routeMessage(m: Fields): RoutableMessage {
  need(
    m.kind === 'telemetry' || m.kind === 'twinChangeNotification',
    'message.kind must be "telemetry" or "twinChangeNotification"',
  );
  const system: Record<string, string | undefined> = {};
  const deviceId = optionalString(m.deviceId, 'message.deviceId');
  const moduleId = optionalString(m.moduleId, 'message.moduleId');
  const output = optionalString(m.output, 'message.output');
  if (deviceId !== undefined) system.connectionDeviceId = deviceId;
  if (moduleId !== undefined) system.connectionModuleId = moduleId;
  if (output !== undefined) system.outputName = output;
  if (m.kind === 'twinChangeNotification') system.messageType = 'twinChangeNotification';
  for (const [k, v] of Object.entries(bag(m.system, 'message.system', true))) if (v !== null) system[k] = v;
  return {
    properties: bag(m.properties, 'message.properties', true),
    systemProperties: system,
    body: new Uint8Array(0),
  };
}

/** One vector (a line of `routes eval` input) as a case, or what is wrong with it. */
export function parseVectorCase(value: unknown): { ok: true; case: VectorCase } | { ok: false; message: string } {
  try {
    need(isObject(value), 'a case is a JSON object with "condition" or "route", and "message"');
    const message = value.message ?? {};
    need(isObject(message), '"message" must be an object');
    if (typeof value.condition === 'string') {
      return { ok: true, case: { kind: 'condition', condition: value.condition, message: conditionMessage(message) } };
    }
    if (typeof value.route === 'string') {
      return { ok: true, case: { kind: 'route', route: value.route, message: routeMessage(message) } };
    }
    return { ok: false, message: 'a case needs a string "condition" or "route"' };
  } catch (err) {
    if (err instanceof ShapeError) return { ok: false, message: err.message };
    throw err;
  }
}
