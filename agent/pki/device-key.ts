// The device key: created once per EdgeDeployment (random, 32 bytes), kept in Secret edgehub-device-key and
// never logged. Module keys derive from it; the hub reads it to verify module tokens.
import { generateDeviceKey } from '../../manifest/index.js';
import type { KubeClient } from '../apply/kube.js';
import type { Device } from '../crd/edge-deployment.js';
import { AgentError, ERROR_CODES } from '../errors.js';
import { HUB } from '../plan/names.js';
import { provisionedSecret, readOrCreateSecret } from './provisioned-secret.js';

export const DEVICE_KEY_FIELD = 'deviceKey';

/** True for a base64 key of 16 to 64 bytes (IoT Hub issues 32). */
export function isUsableDeviceKey(key: string | undefined): key is string {
  if (key === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(key.trim())) return false;
  const bytes = Buffer.from(key.trim(), 'base64').length;
  return bytes >= 16 && bytes <= 64;
}

export async function ensureDeviceKey(kube: KubeClient, device: Device): Promise<{ key: string; created: boolean }> {
  const { data, created } = await readOrCreateSecret(kube, device, HUB.deviceKeySecret, () =>
    provisionedSecret(device, HUB.deviceKeySecret, 'Opaque', { [DEVICE_KEY_FIELD]: generateDeviceKey() }),
  );
  const key = data[DEVICE_KEY_FIELD];
  if (!isUsableDeviceKey(key)) {
    throw new AgentError(
      ERROR_CODES.invalidPki,
      `Secret ${HUB.deviceKeySecret} has no usable "${DEVICE_KEY_FIELD}" (base64, 16–64 bytes); fix or delete it`,
      false,
    );
  }
  return { key: key.trim(), created };
}
