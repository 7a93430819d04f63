// The hub's Message ↔ AMQP 1.0 messages, both ways (reference/protocol.md §4.4, reference/routing.md §2.10).
// Internally every system property is a string, as in the reference hub; the AMQP types are restored on the way
// out: a message-id or correlation-id that is a UUID (the SDK's rule: lowercase v1–v5) goes out as an AMQP uuid,
// anything else as a string; expiry as a timestamp; user-id as binary. Application properties that are not
// strings arrive as null (the reference converter keeps only strings), and leave as null.
import rhea from 'rhea';
import { SystemProperty, type ApplicationProperties, type Message, type SystemProperties } from '../core/message.js';

/** The fields of a rhea message the hub reads or writes. rhea types them all as `any`. */
export interface AmqpMessage {
  message_id?: unknown;
  correlation_id?: unknown;
  user_id?: unknown;
  to?: unknown;
  content_type?: unknown;
  content_encoding?: unknown;
  absolute_expiry_time?: unknown;
  creation_time?: unknown;
  application_properties?: Record<string, unknown>;
  message_annotations?: Record<string, unknown>;
  body?: unknown;
}

/** Application properties that carry IoT Hub system properties over AMQP. */
const APP_PROPERTY_SYSTEM_KEYS: Readonly<Record<string, string>> = {
  'iothub-outputname': SystemProperty.outputName,
  'iothub-message-schema': SystemProperty.messageSchema,
  'iothub-creation-time-utc': SystemProperty.creationTime,
  'iothub-operation': SystemProperty.operation,
};

/** Message annotations the hub reads from senders. */
const ANNOTATION_SYSTEM_KEYS: Readonly<Record<string, string>> = {
  'iothub-interface-id': SystemProperty.interfaceId,
  'dt-subject': SystemProperty.dtSubject,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export class AmqpMessageError extends Error {
  override readonly name = 'AmqpMessageError';
  readonly code = 'EH_AMQP_MESSAGE';
}

/** A message-id or correlation-id as a string: uuid (16 bytes) canonical, ulong decimal, binary hex. */
function idString(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Buffer.isBuffer(v)) return v.length === 16 ? rhea.uuid_to_string(v) : v.toString('hex');
  return undefined;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return undefined;
}

function isoTime(v: unknown): string | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  if (typeof v === 'number') return new Date(v).toISOString();
  return undefined;
}

/** The body bytes: one or more data sections, or an AMQP value that is binary or a string. */
function bodyBytes(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  const section = body as { typecode?: unknown; content?: unknown; multiple?: unknown };
  if (section.typecode === 0x75) {
    if (Buffer.isBuffer(section.content)) return section.content;
    if (Array.isArray(section.content) && section.content.every((c) => Buffer.isBuffer(c)))
      return Buffer.concat(section.content);
  }
  throw new AmqpMessageError('the body is neither data sections nor a binary or string AMQP value');
}

/** A message from a sender, as the hub holds it; the connection's identity is stamped by the caller. */
export function fromAmqp(m: AmqpMessage): Message {
  const properties: ApplicationProperties = {};
  const sys: SystemProperties = {};
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined) sys[key] = value;
  };
  set(SystemProperty.messageId, idString(m.message_id));
  set(SystemProperty.correlationId, idString(m.correlation_id));
  set(SystemProperty.userId, text(m.user_id));
  set(SystemProperty.to, text(m.to));
  set(SystemProperty.contentType, text(m.content_type));
  set(SystemProperty.contentEncoding, text(m.content_encoding));
  set(SystemProperty.expiryTime, isoTime(m.absolute_expiry_time));
  const app = m.application_properties;
  if (app) {
    for (const key in app) {
      const value = app[key];
      const sysKey = APP_PROPERTY_SYSTEM_KEYS[key];
      if (sysKey !== undefined) set(sysKey, typeof value === 'string' ? value : undefined);
      else properties[key] = typeof value === 'string' ? value : null;
    }
  }
  const ann = m.message_annotations;
  if (ann) {
    for (const key in ANNOTATION_SYSTEM_KEYS) {
      const value = ann[key];
      if (typeof value === 'string') sys[ANNOTATION_SYSTEM_KEYS[key]!] = value;
    }
  }
  return { properties, systemProperties: sys, body: bodyBytes(m.body), enqueuedMs: Date.now() };
}

function idValue(s: string): string | Buffer {
  return UUID.test(s) ? rhea.string_to_uuid(s) : s;
}

/** Application properties the hub writes from system properties on delivery (the reverse of the table above). */
const OUTBOUND_APP_PROPERTIES: readonly (readonly [string, string])[] = [
  [SystemProperty.messageSchema, 'iothub-message-schema'],
  [SystemProperty.creationTime, 'iothub-creation-time-utc'],
];

/**
 * A routed message for a module input: body as one data section (the SDK reads nothing else), the input name in
 * `x-opt-input-name`, the sender in `iothub-connection-device-id` / `-module-id`.
 */
export function toAmqp(message: Message, input: string): AmqpMessage {
  const sys = message.systemProperties;
  const out: AmqpMessage = {
    body: rhea.message.data_section(message.body) as unknown,
  };
  const mid = sys[SystemProperty.messageId];
  if (mid !== undefined) out.message_id = idValue(mid);
  const cid = sys[SystemProperty.correlationId];
  if (cid !== undefined) out.correlation_id = idValue(cid);
  const uid = sys[SystemProperty.userId];
  if (uid !== undefined) out.user_id = Buffer.from(uid, 'utf8');
  const to = sys[SystemProperty.to];
  if (to !== undefined) out.to = to;
  const ct = sys[SystemProperty.contentType];
  if (ct !== undefined) out.content_type = ct;
  const ce = sys[SystemProperty.contentEncoding];
  if (ce !== undefined) out.content_encoding = ce;
  const exp = sys[SystemProperty.expiryTime];
  if (exp !== undefined) {
    // ISO 8601 as the SDK's MQTT transport writes a Date; milliseconds when a module set a number.
    const t = /^\d+$/.test(exp) ? Number(exp) : Date.parse(exp);
    if (!Number.isNaN(t)) out.absolute_expiry_time = new Date(t);
  }
  const app: Record<string, unknown> = {};
  let hasApp = false;
  for (const key in message.properties) {
    app[key] = message.properties[key] ?? null;
    hasApp = true;
  }
  for (const [internal, key] of OUTBOUND_APP_PROPERTIES) {
    const v = sys[internal];
    if (v !== undefined) {
      app[key] = v;
      hasApp = true;
    }
  }
  if (hasApp) out.application_properties = app;
  const ann: Record<string, unknown> = { 'x-opt-input-name': input };
  const cdid = sys[SystemProperty.connectionDeviceId];
  if (cdid !== undefined) ann['iothub-connection-device-id'] = cdid;
  const cmid = sys[SystemProperty.connectionModuleId];
  if (cmid !== undefined) ann['iothub-connection-module-id'] = cmid;
  out.message_annotations = ann;
  return out;
}
