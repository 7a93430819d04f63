// Image-pull Secrets from `runtime.settings.registryCredentials`, one per credential that some image uses.
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { RegistryCredential } from '../../manifest/index.js';
import { base64, metadata, ownershipLabels, type PlanContext } from './context.js';
import { dnsLabel } from './names.js';

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

function normaliseHost(host: string): string {
  const h = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(h) ? DOCKER_HUB : h;
}

/** The registry host of an image reference, as Docker reads it (no host part: Docker Hub). */
export function imageRegistry(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return DOCKER_HUB;
  const first = image.slice(0, slash);
  return /[.:]/.test(first) || first === 'localhost' ? normaliseHost(first) : DOCKER_HUB;
}

/** The host of a credential `address`: scheme and path removed (`https://myacr.azurecr.io/v2` → `myacr.azurecr.io`). */
export function credentialRegistry(address: string): string {
  return normaliseHost(address.replace(/^[a-z]+:\/\//i, '').split('/')[0]!);
}

/**
 * The Secret name of a credential. Prefixed and keyed by the credential's name in the manifest, so it never
 * collides with a Secret someone else made (the preview's `<user>-<host>` did, #2309).
 */
export function pullSecretName(credential: RegistryCredential): string {
  return `edgehub-registry-${dnsLabel(credential.name) ?? 'default'}`.slice(0, 253);
}

/** The credential for `image`, if any (the first in manifest order when several name the same registry). */
export function credentialFor(
  image: string,
  credentials: readonly RegistryCredential[],
): RegistryCredential | undefined {
  const registry = imageRegistry(image);
  return credentials.find((c) => credentialRegistry(c.address) === registry);
}

export function planPullSecret(ctx: PlanContext, credential: RegistryCredential): ISecret {
  const auth = base64(`${credential.username}:${credential.password}`);
  const config = {
    auths: { [credential.address]: { username: credential.username, password: credential.password, auth } },
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metadata(ctx.device, pullSecretName(credential), ownershipLabels(ctx.device)),
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': base64(JSON.stringify(config)) },
  };
}
