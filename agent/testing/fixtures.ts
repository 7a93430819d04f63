// Fixed inputs for deterministic plans in tests: a device key, CA and hub pair that never change, and an
// EdgeDeployment built around a manifest.
import type { PlanInputs } from '../plan/context.js';
import { API_VERSION, KIND } from '../crd/types.js';

export const TEST_INPUTS: PlanInputs = {
  deviceKey: Buffer.alloc(32, 7).toString('base64'),
  caCertificate: '-----BEGIN CERTIFICATE-----\nTEST DEVICE CA\n-----END CERTIFICATE-----\n',
  hubTls: {
    cert: '-----BEGIN CERTIFICATE-----\nTEST HUB CERTIFICATE\n-----END CERTIFICATE-----\n',
    key: '-----BEGIN PRIVATE KEY-----\nTEST HUB KEY\n-----END PRIVATE KEY-----\n',
  },
  defaultHubImage: 'ghcr.io/edgehub/edgehub:test',
};

export interface EdgeDeploymentOptions {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly generation?: number;
  /** Spec fields other than modulesContent (deviceId, hub, modules…). */
  readonly settings?: Record<string, unknown>;
}

/** An EdgeDeployment object as the API server would return it, for a manifest in any accepted shape. */
export function edgeDeploymentFor(manifest: unknown, opts: EdgeDeploymentOptions = {}): Record<string, unknown> {
  const m = manifest as { modulesContent?: unknown; content?: { modulesContent?: unknown } };
  const modulesContent = m.modulesContent ?? m.content?.modulesContent ?? manifest;
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: {
      name: opts.name ?? 'dev1',
      namespace: opts.namespace ?? 'edge-dev1',
      uid: opts.uid ?? '11111111-2222-3333-4444-555555555555',
      generation: opts.generation ?? 1,
    },
    spec: { ...(opts.settings ?? {}), modulesContent },
  };
}
