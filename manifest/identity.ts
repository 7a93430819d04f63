// Identity primitives shared by the hub (which verifies) and the agent (which provisions).
// Module keys are derived from the device key, so the hub can check any module's token without a lookup.
import { createHmac, randomBytes } from 'node:crypto';

/** A new device key: 32 random bytes, base64, as IoT Hub issues symmetric keys. */
export function generateDeviceKey(): string {
  return randomBytes(32).toString('base64');
}

/** The key of module `moduleId`: base64(HMAC-SHA256(base64-decoded device key, module id)). */
export function deriveModuleKey(deviceKey: string, moduleId: string): string {
  return createHmac('sha256', Buffer.from(deviceKey, 'base64')).update(moduleId, 'utf8').digest('base64');
}

/**
 * The key of a leaf or child edge device `deviceId` connecting through this hub: base64(HMAC-SHA256(device key,
 * "devices/" + id)). The prefix keeps it apart from module keys: a module id has no "/", so no module can hold
 * a device's key (with the module formula a module named like a leaf device would share its key).
 */
export function deriveDeviceKey(edgeDeviceKey: string, deviceId: string): string {
  return createHmac('sha256', Buffer.from(edgeDeviceKey, 'base64'))
    .update(`devices/${deviceId}`, 'utf8')
    .digest('base64');
}

/** A device connection string: `HostName=…;DeviceId=…;SharedAccessKey=…[;GatewayHostName=…]` (leaf devices). */
export function formatDeviceConnectionString(p: {
  readonly hostName: string;
  readonly gatewayHostName?: string;
  readonly deviceId: string;
  readonly sharedAccessKey: string;
}): string {
  return `HostName=${p.hostName};DeviceId=${p.deviceId};SharedAccessKey=${p.sharedAccessKey}${p.gatewayHostName ? `;GatewayHostName=${p.gatewayHostName}` : ''}`;
}

export interface ConnectionStringParts {
  /** The IoT hub host name that goes into tokens (`sr`) and the MQTT user name. */
  readonly hostName: string;
  /** Where clients connect: the hub's Service name in a cluster, `localhost` locally. */
  readonly gatewayHostName: string;
  readonly deviceId: string;
  readonly moduleId: string;
  readonly sharedAccessKey: string;
}

/** `HostName=…;GatewayHostName=…;DeviceId=…;ModuleId=…;SharedAccessKey=…`: what `EdgeHubConnectionString` holds. */
export function formatConnectionString(p: ConnectionStringParts): string {
  return `HostName=${p.hostName};GatewayHostName=${p.gatewayHostName};DeviceId=${p.deviceId};ModuleId=${p.moduleId};SharedAccessKey=${p.sharedAccessKey}`;
}

/** Module ids the runtime reserves; user modules may not take them. */
export const SYSTEM_MODULE_IDS = ['$edgeAgent', '$edgeHub'] as const;
