// Everything `edgehub install` prints, built here once. The YAML under deploy/ (the kustomize base, its RBAC
// variants and the monitoring component) is generated from these functions by deploy/generate.ts, so the CLI
// and `kubectl apply -k deploy/…` cannot drift: deploy.test.ts fails when a generated file is stale, and
// cli/install.test.ts renders every kustomize variant with kubectl and compares it with the CLI's objects.
//
// Why TypeScript and not the CLI reading the YAML: the CRD already comes from agent/crd/schema.ts, the hub
// image, labels and ports come from the agent's own constants, the objects are type-checked, and the
// container image (which ships dist/ only) needs no YAML files at run time.
import type { ICustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { edgeDeploymentCrd } from '../agent/crd/schema.js';
import { agentDeployment, agentNamespace, agentServiceAccount, type InstallOptions } from './agent.js';
import { monitoringObjects, type PodMonitor } from './monitoring.js';
import { rbacObjects } from './rbac.js';

export { DEFAULT_INSTALL, type InstallOptions, type InstallScope } from './agent.js';

type InstallObject =
  | INamespace
  | ICustomResourceDefinition
  | IServiceAccount
  | ReturnType<typeof rbacObjects>[number]
  | IDeployment
  | IConfigMap
  | PodMonitor;

/** In apply order: the namespace and the CRD first, the Deployment after the rights it runs with. */
export function installObjects(o: InstallOptions): InstallObject[] {
  return [
    agentNamespace(o),
    edgeDeploymentCrd(),
    agentServiceAccount(o),
    ...rbacObjects(o),
    agentDeployment(o),
    ...(o.monitoring ? monitoringObjects(o) : []),
  ];
}
