// The device CA: it issues the hub's certificate, and modules trust it. Created once into Secret
// edgehub-device-ca (type kubernetes.io/tls). To bring your own CA, create that Secret before the
// EdgeDeployment; the agent then only reads it.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createCertificateAuthority, type KeyPair } from '../../manifest/index.js';
import type { KubeClient } from '../apply/kube.js';
import type { Device } from '../crd/edge-deployment.js';
import { AgentError, ERROR_CODES } from '../errors.js';
import { HUB } from '../plan/names.js';
import { provisionedSecret, readOrCreateSecret } from './provisioned-secret.js';

export const CA_VALIDITY_DAYS = 3650;

/** Why `pair` cannot serve as the device CA at `now`, or undefined when it can. */
export function caProblem(pair: Partial<KeyPair>, now: Date): string | undefined {
  if (!pair.cert || !pair.key) return 'it lacks tls.crt or tls.key';
  try {
    const cert = new X509Certificate(pair.cert);
    if (!cert.ca) return 'its certificate is not a CA';
    if (!cert.checkPrivateKey(createPrivateKey(pair.key))) return 'its key does not match its certificate';
    if (new Date(cert.validTo) <= now) return `its certificate expired on ${cert.validTo}`;
  } catch (err) {
    return `it does not parse (${(err as Error).message})`;
  }
  return undefined;
}

export async function ensureDeviceCa(
  kube: KubeClient,
  device: Device,
  now = new Date(),
): Promise<{ ca: KeyPair; created: boolean }> {
  const { data, created } = await readOrCreateSecret(kube, device, HUB.deviceCaSecret, () => {
    const ca = createCertificateAuthority({
      commonName: `edgehub CA ${device.deviceId}`.slice(0, 64),
      validityDays: CA_VALIDITY_DAYS,
      now,
    });
    return provisionedSecret(device, HUB.deviceCaSecret, 'kubernetes.io/tls', {
      'tls.crt': ca.cert,
      'tls.key': ca.key,
    });
  });
  const pair = { cert: data['tls.crt'], key: data['tls.key'] };
  const problem = caProblem(pair, now);
  if (problem !== undefined) {
    throw new AgentError(
      ERROR_CODES.invalidPki,
      `Secret ${HUB.deviceCaSecret} cannot be the device CA: ${problem}`,
      false,
    );
  }
  return { ca: { cert: pair.cert!, key: pair.key! }, created };
}
