// One module → its Deployment, ServiceAccount, identity Secret and Service (headless without ports).
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { ModuleSpec } from '../../manifest/index.js';
import { metadata, moduleLabels, selectorLabels, type PlanContext, type PlannedObject } from './context.js';
import { containerPorts, imagePullPolicy, moduleEnv, warnLifecycle, warnUntranslated } from './container.js';
import { containerResources, deploymentStrategy, podSettings } from './experimental.js';
import {
  caVolume,
  caVolumeMount,
  identityDigest,
  identityEnv,
  planIdentitySecret,
  planServiceAccount,
} from './identity.js';
import { ANNOTATIONS, annotationKey } from './names.js';
import { credentialFor, pullSecretName } from './registry.js';
import { planModuleService } from './service.js';
import { planModuleVolumes } from './volumes.js';

export interface PlannedModule {
  readonly objects: PlannedObject[];
  /** PVC names the module mounts (made once per device by the planner). */
  readonly claims: readonly string[];
}

/** Docker `Labels` as annotations (pod template and Service), keys made valid. */
function dockerLabelAnnotations(module: ModuleSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(module.createOptions.labels)) {
    const k = annotationKey(key);
    if (k !== undefined) out[k] = value;
  }
  return out;
}

export function planModule(ctx: PlanContext, module: ModuleSpec, objectName: string): PlannedModule {
  warnUntranslated(ctx, module);
  warnLifecycle(ctx, module);
  const co = module.createOptions;
  const labels = moduleLabels(ctx.device, objectName);
  const volumes = planModuleVolumes(ctx, module);
  const credential = credentialFor(module.image, ctx.device.manifest.edgeAgent?.runtime.registryCredentials ?? []);
  const resources = containerResources(module);
  const container: IContainer = {
    name: objectName,
    image: module.image,
    imagePullPolicy: imagePullPolicy(module),
    ...(co.entrypoint ? { command: [...co.entrypoint] } : {}),
    ...(co.cmd ? { args: [...co.cmd] } : {}),
    ...(co.workingDir ? { workingDir: co.workingDir } : {}),
    env: moduleEnv(ctx, module, identityEnv(ctx, objectName, module.name)),
    ...(containerPorts(module).length > 0 ? { ports: containerPorts(module) } : {}),
    volumeMounts: [caVolumeMount, ...volumes.mounts],
    ...(resources ? { resources } : {}),
    ...(co.privileged ? { securityContext: { privileged: true } } : {}),
  };
  const dockerAnnotations = dockerLabelAnnotations(module);
  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(ctx.device, objectName, labels, { [ANNOTATIONS.moduleId]: module.name }),
    spec: {
      // Modules are singletons: one identity, one connection. Stopped is zero replicas.
      replicas: module.status === 'stopped' ? 0 : 1,
      revisionHistoryLimit: 3,
      selector: { matchLabels: selectorLabels(ctx.device, objectName) },
      strategy: deploymentStrategy(module),
      template: {
        metadata: {
          labels,
          annotations: {
            ...dockerAnnotations,
            [ANNOTATIONS.moduleId]: module.name,
            ...(module.version !== undefined ? { [ANNOTATIONS.moduleVersion]: module.version } : {}),
            [ANNOTATIONS.identityDigest]: identityDigest(ctx, module.name),
          },
        },
        spec: {
          serviceAccountName: objectName,
          automountServiceAccountToken: false,
          ...(credential ? { imagePullSecrets: [{ name: pullSecretName(credential) }] } : {}),
          ...podSettings(module),
          containers: [container],
          volumes: [caVolume, ...volumes.volumes],
        },
      },
    },
  };
  const objects: PlannedObject[] = [
    planServiceAccount(ctx, objectName, module.name),
    planIdentitySecret(ctx, objectName, module.name),
    deployment,
  ];
  objects.push(planModuleService(ctx, module, objectName, dockerAnnotations));
  return { objects, claims: volumes.claims };
}
