// The IoT Hub MQTT topic grammar, both ways (reference/protocol.md §3.3). Pure: strings in, values out.

/** What a module or device publishes. */
export type InboundTopic =
  | {
      readonly kind: 'telemetry';
      readonly deviceId: string;
      readonly moduleId: string | undefined;
      readonly bag: string;
    }
  | { readonly kind: 'twin'; readonly topic: string }
  | { readonly kind: 'method-response'; readonly topic: string }
  | { readonly kind: 'unknown' };

const DEVICES = 'devices/';
const EVENTS = 'messages/events';

/** Splits `…/messages/events/{bag}` (bag optional; a trailing `/` after the bag, as outputs send, is allowed). */
function eventsBag(rest: string): string | undefined {
  if (!rest.startsWith(EVENTS)) return undefined;
  if (rest.length === EVENTS.length) return '';
  if (rest[EVENTS.length] !== '/') return undefined;
  let bag = rest.slice(EVENTS.length + 1);
  if (bag.endsWith('/')) bag = bag.slice(0, -1);
  return bag.includes('/') ? undefined : bag;
}

export function parseInboundTopic(topic: string): InboundTopic {
  if (topic.startsWith(DEVICES)) {
    const d = topic.indexOf('/', DEVICES.length);
    if (d <= DEVICES.length) return { kind: 'unknown' };
    const deviceId = topic.slice(DEVICES.length, d);
    const rest = topic.slice(d + 1);
    if (rest.startsWith('modules/')) {
      const m = rest.indexOf('/', 8);
      if (m <= 8) return { kind: 'unknown' };
      const bag = eventsBag(rest.slice(m + 1));
      return bag === undefined ? { kind: 'unknown' } : { kind: 'telemetry', deviceId, moduleId: rest.slice(8, m), bag };
    }
    const bag = eventsBag(rest);
    return bag === undefined ? { kind: 'unknown' } : { kind: 'telemetry', deviceId, moduleId: undefined, bag };
  }
  if (topic.startsWith('$iothub/twin/')) return { kind: 'twin', topic };
  if (topic.startsWith('$iothub/methods/res/')) return { kind: 'method-response', topic };
  return { kind: 'unknown' };
}

/** MQTT 3.1.1 §1.5.3: a topic is a UTF-8 string with a two-byte length. */
export const MAX_TOPIC_BYTES = 65_535;

/** Bytes of `inputTopic(deviceId, moduleId, input, '')`, without building it. */
export function inputTopicPrefixBytes(deviceId: string, moduleId: string, input: string): number {
  // devices/ + /modules/ + /inputs/ + /
  return 26 + Buffer.byteLength(deviceId) + Buffer.byteLength(moduleId) + Buffer.byteLength(input);
}

/** `devices/{d}/modules/{m}/inputs/{input}/{bag}`: the `/` after the input is mandatory, or the SDK drops it. */
export function inputTopic(deviceId: string, moduleId: string, input: string, bag: string): string {
  return `devices/${deviceId}/modules/${moduleId}/inputs/${input}/${bag}`;
}

/** The subscription filters a client may use, given its identity. */
export function allowedSubscriptions(deviceId: string, moduleId: string | undefined): readonly string[] {
  const own = moduleId === undefined ? `devices/${deviceId}` : `devices/${deviceId}/modules/${moduleId}`;
  return [
    moduleId === undefined ? `${own}/messages/devicebound/#` : `${own}/inputs/#`,
    '$iothub/methods/POST/#',
    '$iothub/twin/res/#',
    '$iothub/twin/PATCH/properties/desired/#',
  ];
}

/** The filter a module subscribes to for its inputs. */
export function inputsFilter(deviceId: string, moduleId: string): string {
  return `devices/${deviceId}/modules/${moduleId}/inputs/#`;
}
