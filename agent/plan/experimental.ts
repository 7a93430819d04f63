// The `k8s-experimental` createOptions section and the host namespaces of HostConfig, as pod and
// Deployment fields. Values are Kubernetes JSON, copied without interpretation (reference/kubernetes.md §3.7);
// the golden tests validate the results against the Kubernetes schemas.
import type { IDeploymentStrategy } from 'kubernetes-models/apps/v1/DeploymentStrategy';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { ModuleSpec } from '../../manifest/index.js';

/**
 * Recreate unless the manifest asks otherwise: a module is a singleton with one identity, and a rolling
 * update would run two copies that take each other's hub connection (and deadlock on ReadWriteOnce volumes).
 */
export const DEFAULT_STRATEGY: IDeploymentStrategy = { type: 'Recreate' };

export function deploymentStrategy(module: ModuleSpec): IDeploymentStrategy {
  return (module.createOptions.k8sExperimental.strategy as IDeploymentStrategy | undefined) ?? DEFAULT_STRATEGY;
}

export function containerResources(module: ModuleSpec): IResourceRequirements | undefined {
  return module.createOptions.k8sExperimental.resources;
}

/** A pod `hostname`: an RFC 1123 label. */
export function isHostname(name: string): boolean {
  return name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
}

/** Pod fields from k8s-experimental (nodeSelector, securityContext) and HostConfig's host modes. */
export function podSettings(module: ModuleSpec): Partial<IPodSpec> {
  const co = module.createOptions;
  const k8s = co.k8sExperimental;
  const isHost = (mode: string | undefined) => mode?.toLowerCase() === 'host';
  const out: Partial<IPodSpec> = {};
  if (k8s.nodeSelector) out.nodeSelector = { ...k8s.nodeSelector };
  if (k8s.securityContext) out.securityContext = k8s.securityContext;
  if (isHost(co.networkMode)) {
    out.hostNetwork = true;
    // Without it a pod on the host network resolves no cluster names, `edgehub` included.
    out.dnsPolicy = 'ClusterFirstWithHostNet';
  }
  const hostname = Object.entries(co.raw).find(([k]) => k.toLowerCase() === 'hostname')?.[1];
  // Docker's Hostname is the container's own name (OPC UA servers, for one, put it in their certificates).
  if (typeof hostname === 'string' && isHostname(hostname) && !out.hostNetwork) out.hostname = hostname;
  if (isHost(co.ipcMode)) out.hostIPC = true;
  if (isHost(co.pidMode)) out.hostPID = true;
  return out;
}
