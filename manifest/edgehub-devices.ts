// Leaf and child edge devices that may connect through this hub: the edgehub-specific `edgehubDevices` key of the
// `$edgeHub` desired properties (the reference hub learns them from IoT Hub's device scopes; we have no cloud
// registry, so the manifest lists them). A device's key is derived from the edge device key unless given.
import { Buffer } from 'node:buffer';
import { childPath, describeType, isPlainObject, type ManifestIssue } from './issues.js';

/** The desired-properties key. A plain identifier, so it is also a legal IoT Hub twin property name. */
export const EDGEHUB_DEVICES_KEY = 'edgehubDevices';

export interface DeviceSpec {
  readonly deviceId: string;
  /** base64 symmetric key given explicitly; absent: derived from the edge device key (deriveDeviceKey). */
  readonly symmetricKey?: string;
}

/** IoT Hub's device-id rule: up to 128 of ASCII letters, digits and `-.+%_#*?!(),:=@$'`. */
const DEVICE_ID = /^[A-Za-z0-9\-.+%_#*?!(),:=@$']{1,128}$/;

export function parseEdgeHubDevices(value: unknown, path: string, issues: ManifestIssue[]): DeviceSpec[] {
  if (value === undefined) return [];
  if (!isPlainObject(value)) {
    issues.push({
      path,
      message: `${EDGEHUB_DEVICES_KEY} must be an object of device id → {} or {"symmetricKey": "<base64>"}, got ${describeType(value)}`,
    });
    return [];
  }
  const out: DeviceSpec[] = [];
  for (const [deviceId, spec] of Object.entries(value)) {
    const at = childPath(path, deviceId);
    if (!DEVICE_ID.test(deviceId)) {
      issues.push({
        path: at,
        message: `"${deviceId.slice(0, 130)}" is not a device id: 1–128 ASCII letters, digits or -.+%_#*?!(),:=@$'`,
      });
      continue;
    }
    if (!isPlainObject(spec)) {
      issues.push({
        path: at,
        message: `a device is {} (key derived from the edge device key) or {"symmetricKey": "<base64>"}, got ${describeType(spec)}`,
      });
      continue;
    }
    let ok = true;
    for (const key of Object.keys(spec)) {
      if (key !== 'symmetricKey') {
        issues.push({ path: childPath(at, key), message: `unknown device field "${key}"; a device has symmetricKey` });
        ok = false;
      }
    }
    const key = spec.symmetricKey;
    if (key !== undefined) {
      const bytes =
        typeof key === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(key) ? Buffer.from(key, 'base64') : undefined;
      if (bytes === undefined || bytes.length < 16 || bytes.length > 64) {
        issues.push({
          path: childPath(at, 'symmetricKey'),
          message: `symmetricKey must be base64 of 16 to 64 bytes, as IoT Hub issues them, got ${typeof key === 'string' ? `${key.length} characters` : describeType(key)}`,
        });
        ok = false;
      }
    }
    if (ok) out.push(typeof key === 'string' ? { deviceId, symmetricKey: key } : { deviceId });
  }
  return out;
}
