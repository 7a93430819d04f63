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

/** Parses a bag into application and system properties. Throws PropertyBagError on bad encoding. */
export function parsePropertyBag(bag: string): {
  properties: ApplicationProperties;
  systemProperties: SystemProperties;
} {
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
