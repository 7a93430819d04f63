// The hub's command line in its pod. It MUST match the flags of `edgehub start` (broker/): change both
// together. Paths are where the hub Deployment mounts its ConfigMaps, Secrets and PVC.
// Also what the hub's pod and the agent's (deploy/agent.ts) share, as both run this one image: the health
// probes on the port named `metrics`, and the locked-down security contexts.
import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { Device } from '../crd/edge-deployment.js';

/** The hub image when neither the EdgeDeployment nor `edgehub agent --hub-image` names one. */
export const DEFAULT_HUB_IMAGE = 'ghcr.io/edgehub/edgehub:0.1.0';

export const HUB_PORTS = { mqtts: 8883, amqps: 5671, https: 443, metrics: 9600 } as const;

/** The container port serving /metrics, /healthz and /readyz, in the hub's pod and in the agent's. */
export const METRICS_PORT_NAME = 'metrics' satisfies keyof typeof HUB_PORTS;

/** `edgehub agent --metrics-port` when none is given; the agent's Deployment (deploy/agent.ts) uses it too. */
export const DEFAULT_AGENT_METRICS_PORT = 9601;

/** The image's user and group (as in the Dockerfile). */
const IMAGE_UID = 1000;

/** /healthz: the process answers. /readyz: it is ready for work. Both on the METRICS_PORT_NAME port. */
export function healthProbes(): { livenessProbe: IProbe; readinessProbe: IProbe } {
  const probe = (path: string, periodSeconds: number) => ({
    httpGet: { path, port: METRICS_PORT_NAME },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold: 3,
  });
  return {
    livenessProbe: { ...probe('/healthz', 10), initialDelaySeconds: 10 },
    readinessProbe: probe('/readyz', 5),
  };
}

/**
 * The hub's startup probe: liveness waits until /healthz first answers, for up to 5 minutes, so a hub
 * that opens (and checks) a large store after a crash is not killed by its liveness probe and restarted in
 * a loop. Once it has answered, the liveness probe takes over.
 */
export function hubStartupProbe(): IProbe {
  return {
    httpGet: { path: '/healthz', port: METRICS_PORT_NAME },
    periodSeconds: 2,
    timeoutSeconds: 3,
    failureThreshold: 150,
  };
}

/** A container that cannot gain privileges, has no capabilities and a read-only root filesystem. */
export function restrictedContainerSecurity(): ISecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  };
}

/** A pod running as the image's non-root user, with the runtime's seccomp profile; `fsGroup` for its volumes. */
export function nonRootPodSecurity(options: { fsGroup?: boolean } = {}): IPodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: IMAGE_UID,
    runAsGroup: IMAGE_UID,
    ...(options.fsGroup ? { fsGroup: IMAGE_UID } : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export const HUB_PATHS = {
  configDir: '/etc/edgehub/config',
  configFile: 'manifest.json',
  dataDir: '/var/lib/edgehub',
  tlsDir: '/etc/edgehub/tls',
  deviceKeyDir: '/etc/edgehub/device',
  deviceKeyFile: 'deviceKey',
} as const;

export const HUB_COMMAND = ['edgehub'];

/** `edgehub start …`: configuration file (watched), store, TLS pair, CA, device key, identity, metrics port. */
export function hubArgs(device: Device, caFile: string): string[] {
  return [
    'start',
    '--config',
    `${HUB_PATHS.configDir}/${HUB_PATHS.configFile}`,
    '--data',
    HUB_PATHS.dataDir,
    '--tls-cert',
    `${HUB_PATHS.tlsDir}/tls.crt`,
    '--tls-key',
    `${HUB_PATHS.tlsDir}/tls.key`,
    '--ca-cert',
    caFile,
    '--device-key-file',
    `${HUB_PATHS.deviceKeyDir}/${HUB_PATHS.deviceKeyFile}`,
    '--device-id',
    device.deviceId,
    '--iothub-hostname',
    device.iotHubHostName,
    '--metrics-port',
    String(HUB_PORTS.metrics),
  ];
}
