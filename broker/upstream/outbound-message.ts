// A stored message as the upstream client sends it: body and system properties mapped to the SDK Message, the
// application properties kept, and where it came from added as application properties. The reference hub
// sends each client's messages over that client's own cloud identity; this hub has one upstream identity (the
// edge device), so the origin travels in the message instead.
import azureDevice from 'azure-iot-device';
import { SystemProperty } from '../core/message.js';
import type { StoredMessage } from '../core/ports.js';

const { Message } = azureDevice;
export type SdkMessage = InstanceType<typeof Message>;

/** Application properties naming the original sender. A message that already has them (nested edge, second hop) keeps them. */
export const ORIGIN_DEVICE_PROPERTY = 'edgehubOriginDeviceId';
export const ORIGIN_MODULE_PROPERTY = 'edgehubOriginModuleId';
export const ORIGIN_OUTPUT_PROPERTY = 'edgehubOriginOutputName';

export function toSdkMessage(m: StoredMessage): SdkMessage {
  const out = new Message(m.body);
  const sys = m.systemProperties;
  const id = sys[SystemProperty.messageId];
  if (id !== undefined) out.messageId = id;
  const cid = sys[SystemProperty.correlationId];
  if (cid !== undefined) out.correlationId = cid;
  const user = sys[SystemProperty.userId];
  if (user !== undefined) out.userId = user;
  const ct = sys[SystemProperty.contentType];
  if (ct !== undefined) out.contentType = ct as SdkMessage['contentType']; // the SDK's type lists only JSON; any string goes on the wire
  const ce = sys[SystemProperty.contentEncoding];
  if (ce !== undefined) out.contentEncoding = ce as SdkMessage['contentEncoding'];
  const expiry = sys[SystemProperty.expiryTime];
  if (expiry !== undefined) out.expiryTimeUtc = expiry;
  const iface = sys[SystemProperty.interfaceId];
  if (iface !== undefined) out.interfaceId = iface;
  const props = m.properties;
  for (const key in props) {
    const v = props[key];
    if (v !== null && v !== undefined) out.properties.add(key, v);
  }
  if (props[ORIGIN_DEVICE_PROPERTY] === undefined) {
    const device = sys[SystemProperty.connectionDeviceId];
    if (device !== undefined) out.properties.add(ORIGIN_DEVICE_PROPERTY, device);
    const module = sys[SystemProperty.connectionModuleId];
    if (module !== undefined) out.properties.add(ORIGIN_MODULE_PROPERTY, module);
    const output = sys[SystemProperty.outputName];
    if (output !== undefined) out.properties.add(ORIGIN_OUTPUT_PROPERTY, output);
  }
  return out;
}
