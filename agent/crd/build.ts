// An EdgeDeployment object from an Azure-style deployment manifest, for `edgehub deploy` and `render`.
import { findModulesContent } from '../../manifest/index.js';
import { dnsLabel } from '../plan/names.js';
import { API_VERSION, KIND, type EdgeDeploymentSpec } from './types.js';

export type EdgeDeploymentSettings = Omit<EdgeDeploymentSpec, 'modulesContent' | 'deviceId'>;

export interface BuildOptions {
  readonly deviceId: string;
  readonly namespace: string;
  /** The resource name; defaults to the device id made DNS-safe. */
  readonly name?: string;
  readonly settings?: EdgeDeploymentSettings;
}

/** The resource name for a device id: its DNS-1123 form (`Plant-7:Line_2` → `plant-7-line-2`). */
export function edgeDeploymentName(deviceId: string): string {
  return dnsLabel(deviceId) ?? 'device';
}

/** Wraps the manifest's modulesContent, unchanged, in an EdgeDeployment; undefined when `doc` is no manifest. */
export function buildEdgeDeployment(doc: unknown, o: BuildOptions) {
  const content = findModulesContent(doc);
  if (!content) return undefined;
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: o.name ?? edgeDeploymentName(o.deviceId), namespace: o.namespace },
    spec: { deviceId: o.deviceId, ...(o.settings ?? {}), modulesContent: content.value },
  };
}
