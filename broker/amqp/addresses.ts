// The IoT Hub AMQP link-address grammar (reference/protocol.md §4.3). Pure: strings in, values out. Links are
// classified by address only, never by their attach properties (the SDK's rhea shares one default-options object,
// so later links carry stale `api-version`/`channel-correlation-id` properties).

export type LinkAddress =
  | { readonly kind: 'cbs' }
  /** `/devices/{d}[/modules/{m}]/messages/events`: telemetry (client sends) or module inputs (client receives). */
  | { readonly kind: 'events'; readonly deviceId: string; readonly moduleId: string | undefined }
  /** `/devices/{d}/messages/devicebound`: cloud-to-device messages of a device. */
  | { readonly kind: 'devicebound'; readonly deviceId: string }
  /** `/devices/{d}[/modules/{m}]/twin` and `.../methods/devicebound`: known, not served yet. */
  | {
      readonly kind: 'twin' | 'methods';
      readonly deviceId: string;
      readonly moduleId: string | undefined;
    }
  | { readonly kind: 'unknown' };

const UNKNOWN: LinkAddress = { kind: 'unknown' };

export function parseLinkAddress(address: string | undefined): LinkAddress {
  if (address === undefined) return UNKNOWN;
  if (address === '$cbs') return { kind: 'cbs' };
  const parts = address.split('/');
  // A leading '/' gives an empty first part.
  if (parts[0] !== '' || parts[1] !== 'devices' || !parts[2]) return UNKNOWN;
  const deviceId = parts[2];
  let moduleId: string | undefined;
  let rest = parts.slice(3);
  if (rest[0] === 'modules') {
    if (!rest[1]) return UNKNOWN;
    moduleId = rest[1];
    rest = rest.slice(2);
  }
  const tail = rest.join('/');
  if (tail === 'messages/events') return { kind: 'events', deviceId, moduleId };
  if (tail === 'messages/devicebound' && moduleId === undefined) return { kind: 'devicebound', deviceId };
  if (tail === 'twin') return { kind: 'twin', deviceId, moduleId };
  if (tail === 'methods/devicebound') return { kind: 'methods', deviceId, moduleId };
  return UNKNOWN;
}

/** The events address of an identity: where it sends telemetry and (a module) receives its inputs. */
export function eventsAddress(deviceId: string, moduleId: string | undefined): string {
  return moduleId === undefined
    ? `/devices/${deviceId}/messages/events`
    : `/devices/${deviceId}/modules/${moduleId}/messages/events`;
}
