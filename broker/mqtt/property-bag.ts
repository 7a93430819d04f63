// The IoT Hub MQTT property bag: `key=value&key=value`, percent-encoded, at the end of a topic.
// System properties travel under `$.`-keys (reference/protocol.md §3.4); every other key is an application
// property. The SDK writes `$` as `%24`, so keys are always decoded before they are looked at.
import { SystemProperty, type ApplicationProperties, type Message, type SystemProperties } from '../core/message.js';

/** Bag key → internal system-property key, for bags that modules send. */
const INBOUND_SYSTEM_KEYS: Readonly<Record<string, string>> = {
  '$.mid': SystemProperty.messageId,
  '$.cid': SystemProperty.correlationId,
  '$.uid': SystemProperty.userId,
  '$.to': SystemProperty.to,
  '$.ct': SystemProperty.contentType,
  '$.ce': SystemProperty.contentEncoding,
  '$.exp': SystemProperty.expiryTime,
  '$.ctime': SystemProperty.creationTime,
  '$.schema': SystemProperty.messageSchema,
  '$.on': SystemProperty.outputName,
  '$.ifid': SystemProperty.interfaceId,
  '$.sub': SystemProperty.dtSubject,
  'iothub-operation': SystemProperty.operation,
};

/** Internal key → bag key, in the order the reference hub writes them on input topics (after app properties). */
const OUTBOUND_SYSTEM_KEYS: readonly (readonly [string, string])[] = [
  [SystemProperty.contentEncoding, '$.ce'],
  [SystemProperty.contentType, '$.ct'],
  [SystemProperty.messageSchema, '$.schema'],
  [SystemProperty.to, '$.to'],
  [SystemProperty.userId, '$.uid'],
  [SystemProperty.correlationId, '$.cid'],
  [SystemProperty.messageId, '$.mid'],
  [SystemProperty.expiryTime, '$.exp'],
  [SystemProperty.creationTime, '$.ctime'],
  [SystemProperty.connectionDeviceId, '$.cdid'],
  [SystemProperty.connectionModuleId, '$.cmid'],
];

export class PropertyBagError extends Error {
  override readonly name = 'PropertyBagError';
  readonly code = 'EH_MQTT_PROPERTY_BAG';
}

function decode(part: string, bag: string): string {
  if (part.indexOf('%') === -1) return part;
  try {
    return decodeURIComponent(part);
  } catch {
    throw new PropertyBagError(`bad percent-encoding in property bag "${bag.slice(0, 200)}" at "${part.slice(0, 50)}"`);
  }
}

/** A topic's property bag, split into application and system properties. */
export interface PropertyBag {
  properties: ApplicationProperties;
  systemProperties: SystemProperties;
}

/** Parses a bag into application and system properties. Throws PropertyBagError on bad encoding. */
export function parsePropertyBag(bag: string): PropertyBag {
  const properties: ApplicationProperties = {};
  const systemProperties: SystemProperties = {};
  if (bag.length === 0) return { properties, systemProperties };
  let start = 0;
  while (start <= bag.length) {
    let end = bag.indexOf('&', start);
    if (end === -1) end = bag.length;
    if (end > start) {
      const eq = bag.indexOf('=', start);
      const hasValue = eq !== -1 && eq < end;
      const key = decode(bag.slice(start, hasValue ? eq : end), bag);
      const value = hasValue ? decode(bag.slice(eq + 1, end), bag) : '';
      const sys = INBOUND_SYSTEM_KEYS[key];
      if (sys !== undefined) systemProperties[sys] = value;
      else if (key.length > 0) properties[key] = value;
    }
    start = end + 1;
  }
  return { properties, systemProperties };
}

/** Encodes a key or value so the SDK's `decodeURIComponent` gets it back (and `/`, `&`, `=` never split it). */
function encode(s: string): string {
  return encodeURIComponent(s);
}

/** The bag for delivering `message` to a module input: application properties, then system properties. */
export function formatPropertyBag(message: Message): string {
  let out = '';
  const props = message.properties;
  for (const key in props) {
    const value = props[key];
    if (value === null || value === undefined) continue;
    out += (out.length === 0 ? '' : '&') + encode(key) + '=' + encode(value);
  }
  const sys = message.systemProperties;
  // A twin change notification names its real sender, not the hub that routed it (reference/routing.md §6).
  const rpSender = sys.rpSenderDeviceId !== undefined;
  for (const [internal, bagKey] of OUTBOUND_SYSTEM_KEYS) {
    let value = sys[internal];
    if (rpSender && internal === SystemProperty.connectionDeviceId) value = sys.rpSenderDeviceId;
    else if (rpSender && internal === SystemProperty.connectionModuleId) value = sys.rpSenderModuleId;
    if (value === undefined) continue;
    out += (out.length === 0 ? '' : '&') + encode(bagKey) + '=' + encode(value);
  }
  return out;
}

/** Whether encodeURIComponent keeps this ASCII code unit as it is. */
const UNRESERVED = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")
  UNRESERVED[c.charCodeAt(0)] = 1;

/** Bytes of `encode(s)`, or -1 when `s` holds a lone surrogate (encodeURIComponent throws on it). */
function encodedBytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += UNRESERVED[c] === 1 ? 1 : 3;
    else if (c < 0x800) n += 6;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return -1;
      n += 12;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1;
    else n += 9;
  }
  return n;
}

/**
 * Why `formatPropertyBag(message)` would not fit in `limit` bytes (its size, or a value it cannot encode), or
 * undefined when it fits; the bag is not built. A bag whose characters cannot exceed the limit (each becomes at
 * most 9 bytes) is answered after one pass over the lengths, so the common case costs next to nothing.
 */
export function propertyBagOverLimit(message: Message, limit: number): string | undefined {
  let chars = 0;
  let pairs = 0;
  const props = message.properties;
  for (const key in props) {
    const value = props[key];
    if (value === null || value === undefined) continue;
    chars += key.length + value.length;
    pairs++;
  }
  const sys = message.systemProperties;
  for (const [internal, bagKey] of OUTBOUND_SYSTEM_KEYS) {
    const value = sys[internal];
    if (value === undefined) continue;
    chars += bagKey.length + value.length;
    pairs++;
  }
  const separators = pairs === 0 ? 0 : 2 * pairs - 1; // one `=` per pair, `&` between pairs
  if (chars * 9 + separators <= limit) return undefined;
  let bytes = separators;
  const add = (s: string, what: string): string | undefined => {
    const n = encodedBytes(s);
    if (n < 0) return `${what} "${s.slice(0, 50)}" holds a lone UTF-16 surrogate, which cannot be percent-encoded`;
    bytes += n;
    return undefined;
  };
  for (const key in props) {
    const value = props[key];
    if (value === null || value === undefined) continue;
    const bad = add(key, 'property name') ?? add(value, `property "${key.slice(0, 50)}"`);
    if (bad !== undefined) return bad;
  }
  for (const [internal, bagKey] of OUTBOUND_SYSTEM_KEYS) {
    const value = sys[internal];
    if (value === undefined) continue;
    const bad = add(bagKey, 'system property') ?? add(value, `system property ${bagKey}`);
    if (bad !== undefined) return bad;
  }
  return bytes > limit ? `its property bag is ${bytes} bytes once percent-encoded, over ${limit}` : undefined;
}
