// `edgehub manifest render`: every object the agent would apply for a manifest, as YAML, without a cluster
// (like `helm template`). The device key, CA and hub certificate are generated for the rendering unless given.
import { createCertificateAuthority, generateDeviceKey, type ManifestIssue } from '../manifest/index.js';
import { hubCertificate } from './pki/hub-certificate.js';
import { readEdgeDeployment } from './crd/edge-deployment.js';
import { hubCertificateNames } from './plan/hub.js';
import { plan } from './plan/plan.js';
import { toYamlDocuments } from './yaml.js';

/** Owner references need a uid, which only the API server assigns. */
export const PLACEHOLDER_UID = '00000000-0000-0000-0000-000000000000';

export interface RenderOptions {
  readonly hubImage: string;
  readonly deviceKey?: string;
}

export type RenderResult =
  | { readonly ok: true; readonly yaml: string; readonly issues: readonly ManifestIssue[] }
  | { readonly ok: false; readonly issues: readonly ManifestIssue[] };

/** Renders an EdgeDeployment object (see crd/build.ts) into multi-document YAML. */
export function renderEdgeDeployment(edgeDeployment: Record<string, unknown>, o: RenderOptions): RenderResult {
  const metadata = { ...(edgeDeployment.metadata as Record<string, unknown>), uid: PLACEHOLDER_UID };
  const ed = { ...edgeDeployment, metadata };
  const read = readEdgeDeployment(ed);
  if (!read.ok) return { ok: false, issues: read.issues };
  const device = read.value;
  const ca = createCertificateAuthority({
    commonName: `edgehub CA ${device.deviceId} (render)`.slice(0, 64),
    validityDays: 30,
  });
  const hub = hubCertificate({}, ca, hubCertificateNames(device)).pair;
  const result = plan(ed, {
    deviceKey: o.deviceKey ?? generateDeviceKey(),
    caCertificate: ca.cert,
    hubTls: hub,
    defaultHubImage: o.hubImage,
  });
  if (!result.ok) return { ok: false, issues: result.issues };
  const header = [
    `edgehub manifest render: the objects the agent would apply for device "${device.deviceId}" in namespace "${device.namespace}".`,
    `The device key${o.deviceKey ? ' (given)' : ''}, the CA and the hub certificate below were generated for this rendering only:`,
    'in a cluster the agent creates them once (Secrets edgehub-device-key and edgehub-device-ca) and keeps them.',
    `ownerReferences carry a placeholder uid (${PLACEHOLDER_UID}); the API server assigns the real one.`,
    'Not shown: the Secrets edgehub-device-key and edgehub-device-ca themselves.',
  ];
  return { ok: true, yaml: toYamlDocuments(result.objects, header), issues: result.issues };
}
