// The hub as a system module: its Deployment (Recreate, one replica), Service `edgehub`, store PVC, the
// ConfigMap with its configuration, its TLS Secret and ServiceAccount.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { DESIRED, isPlainObject } from '../../manifest/index.js';
import type { Device } from '../crd/edge-deployment.js';
import {
  base64,
  dataMetadata,
  metadata,
  moduleLabels,
  selectorLabels,
  type PlanContext,
  type PlannedObject,
} from './context.js';
import {
  healthProbes,
  HUB_COMMAND,
  HUB_PATHS,
  HUB_PORTS,
  hubArgs,
  hubStartupProbe,
  nonRootPodSecurity,
  restrictedContainerSecurity,
} from './hub-args.js';
import { envName } from './container.js';
import { CA_FILE, CA_MOUNT_PATH, caVolume, caVolumeMount, planServiceAccount } from './identity.js';
import { ANNOTATIONS, GATEWAY_HOST_NAME, HUB } from './names.js';
import { credentialFor, pullSecretName } from './registry.js';

/** Every name a client may use for the hub; the hub certificate carries them all as SANs. */
export function hubCertificateNames(device: Device): string[] {
  const ns = device.namespace;
  const names = [HUB.name, `${HUB.name}.${ns}`, `${HUB.name}.${ns}.svc`, `${HUB.name}.${ns}.svc.cluster.local`];
  return [...new Set([...names, ...device.hub.externalHostnames])];
}

export function hubImage(ctx: PlanContext): string {
  return ctx.device.hub.image ?? ctx.inputs.defaultHubImage;
}

/**
 * A module of `$edgeAgent` as the hub's configuration carries it: what the hub reads (type, status, version,
 * image), without `env` and `createOptions`, which often hold passwords and connection strings and concern only
 * the agent (they reach the module's container, never a ConfigMap).
 */
function moduleForHub(module: unknown): unknown {
  if (!isPlainObject(module)) return module;
  const { env: _env, settings, ...rest } = module;
  return isPlainObject(settings) && settings.image !== undefined
    ? { ...rest, settings: { image: settings.image } }
    : rest;
}

const mapValues = (o: unknown, f: (v: unknown) => unknown) =>
  isPlainObject(o) ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)])) : o;

/**
 * The hub's configuration file: the manifest's modulesContent, with what concerns only the agent taken out of
 * `$edgeAgent`: registry credentials, and each module's `env` and `createOptions` (secrets often live there).
 * The hub reads `$edgeHub`, the module desired properties, and the module list of `$edgeAgent` (only modules
 * listed there may connect: removing one revokes it).
 */
export function hubConfigJson(device: Device): string {
  const content: Record<string, unknown> = { ...device.manifest.modulesContent };
  const agent = content.$edgeAgent;
  if (isPlainObject(agent) && isPlainObject(agent[DESIRED])) {
    const desired = { ...agent[DESIRED] };
    const runtime = isPlainObject(desired.runtime) ? desired.runtime : undefined;
    const settings = runtime && isPlainObject(runtime.settings) ? runtime.settings : undefined;
    if (settings && 'registryCredentials' in settings) {
      const { registryCredentials: _removed, ...rest } = settings;
      desired.runtime = { ...runtime, settings: rest };
    }
    if (desired.modules !== undefined) desired.modules = mapValues(desired.modules, moduleForHub);
    if (desired.systemModules !== undefined) desired.systemModules = mapValues(desired.systemModules, moduleForHub);
    content.$edgeAgent = { ...agent, [DESIRED]: desired };
  }
  return JSON.stringify({ modulesContent: content }, null, 2) + '\n';
}

function hubEnv(ctx: PlanContext): IEnvVar[] {
  const byName = new Map<string, IEnvVar>();
  const hub = ctx.device.manifest.edgeAgent?.systemModules.edgeHub;
  for (const e of hub?.env ?? []) {
    const name = envName(ctx, hub!, e.name);
    if (name !== undefined) byName.set(name, { name, value: e.value });
  }
  for (const [name, value] of [
    ['IOTEDGE_DEVICEID', ctx.device.deviceId],
    ['IOTEDGE_MODULEID', HUB.moduleId],
    ['IOTEDGE_IOTHUBHOSTNAME', ctx.device.iotHubHostName],
    ['IOTEDGE_GATEWAYHOSTNAME', GATEWAY_HOST_NAME],
  ] as const) {
    byName.set(name, { name, value });
  }
  return [...byName.values()];
}

function hubDeployment(ctx: PlanContext): IDeployment {
  const device = ctx.device;
  const labels = moduleLabels(device, HUB.name);
  const image = hubImage(ctx);
  const manifestHub = device.manifest.edgeAgent?.systemModules.edgeHub;
  const experimental = manifestHub?.createOptions.k8sExperimental;
  const resources = (device.hub.resources ?? experimental?.resources) as IResourceRequirements | undefined;
  const credential = credentialFor(image, device.manifest.edgeAgent?.runtime.registryCredentials ?? []);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(device, HUB.name, labels, {
      [ANNOTATIONS.moduleId]: HUB.moduleId,
      ...(manifestHub && manifestHub.image !== image ? { [ANNOTATIONS.manifestImage]: manifestHub.image } : {}),
    }),
    spec: {
      replicas: 1,
      revisionHistoryLimit: 3,
      selector: { matchLabels: selectorLabels(device, HUB.name) },
      // One store on a ReadWriteOnce volume: the old pod must be gone before the new one opens it.
      strategy: { type: 'Recreate' },
      template: {
        metadata: {
          labels,
          annotations: {
            [ANNOTATIONS.moduleId]: HUB.moduleId,
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(HUB_PORTS.metrics),
            'prometheus.io/path': '/metrics',
          },
        },
        spec: {
          serviceAccountName: HUB.name,
          automountServiceAccountToken: false,
          ...(credential ? { imagePullSecrets: [{ name: pullSecretName(credential) }] } : {}),
          ...(experimental?.nodeSelector ? { nodeSelector: { ...experimental.nodeSelector } } : {}),
          securityContext: {
            ...nonRootPodSecurity({ fsGroup: true }),
            // Lets the hub bind 443 without root or capabilities (a namespaced, "safe" sysctl).
            sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
          },
          containers: [
            {
              name: HUB.name,
              image,
              imagePullPolicy: 'IfNotPresent',
              command: HUB_COMMAND,
              args: hubArgs(device, `${CA_MOUNT_PATH}/${CA_FILE}`),
              env: hubEnv(ctx),
              ports: Object.entries(HUB_PORTS).map(([name, port]) => ({ name, containerPort: port, protocol: 'TCP' })),
              ...healthProbes(),
              startupProbe: hubStartupProbe(),
              ...(resources ? { resources } : {}),
              securityContext: restrictedContainerSecurity(),
              volumeMounts: [
                { name: 'config', mountPath: HUB_PATHS.configDir, readOnly: true },
                { name: 'data', mountPath: HUB_PATHS.dataDir },
                { name: 'tls', mountPath: HUB_PATHS.tlsDir, readOnly: true },
                caVolumeMount,
                { name: 'device-key', mountPath: HUB_PATHS.deviceKeyDir, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            // Mounted as a directory (no subPath), so ConfigMap updates reach the file the hub watches.
            { name: 'config', configMap: { name: HUB.configMap } },
            { name: 'data', persistentVolumeClaim: { claimName: HUB.dataClaim } },
            { name: 'tls', secret: { secretName: HUB.tlsSecret } },
            caVolume,
            {
              name: 'device-key',
              secret: {
                secretName: HUB.deviceKeySecret,
                items: [{ key: HUB_PATHS.deviceKeyFile, path: HUB_PATHS.deviceKeyFile }],
              },
            },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}

function hubService(ctx: PlanContext): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(ctx.device, HUB.name, moduleLabels(ctx.device, HUB.name)),
    spec: {
      type: ctx.device.hub.serviceType,
      selector: selectorLabels(ctx.device, HUB.name),
      ports: Object.entries(HUB_PORTS).map(([name, port]) => ({ name, port, targetPort: name, protocol: 'TCP' })),
    },
  };
}

function hubDataClaim(ctx: PlanContext): IPersistentVolumeClaim {
  const storage = ctx.device.hub.storage;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: dataMetadata(ctx.device, HUB.dataClaim, moduleLabels(ctx.device, HUB.name)),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: storage.size } },
      ...(storage.storageClassName !== undefined ? { storageClassName: storage.storageClassName } : {}),
    },
  };
}

function hubConfigMap(ctx: PlanContext): IConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(ctx.device, HUB.configMap, moduleLabels(ctx.device, HUB.name)),
    data: { [HUB_PATHS.configFile]: hubConfigJson(ctx.device) },
  };
}

function hubTlsSecret(ctx: PlanContext): ISecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metadata(ctx.device, HUB.tlsSecret, moduleLabels(ctx.device, HUB.name)),
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': base64(ctx.inputs.hubTls.cert), 'tls.key': base64(ctx.inputs.hubTls.key) },
  };
}

export function planHub(ctx: PlanContext): PlannedObject[] {
  return [
    planServiceAccount(ctx, HUB.name, HUB.moduleId),
    hubTlsSecret(ctx),
    hubConfigMap(ctx),
    hubDataClaim(ctx),
    hubService(ctx),
    hubDeployment(ctx),
  ];
}
