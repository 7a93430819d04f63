// The hub's command line in its pod. It MUST match the flags of `edgehub start` (broker/): change both
// together. Paths are where the hub Deployment mounts its ConfigMaps, Secrets and PVC.
import type { Device } from '../crd/edge-deployment.js';

/** The hub image when neither the EdgeDeployment nor `edgehub agent --hub-image` names one. */
export const DEFAULT_HUB_IMAGE = 'ghcr.io/edgehub/edgehub:0.1.0';

export const HUB_PORTS = { mqtts: 8883, amqps: 5671, https: 443, metrics: 9600 } as const;

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
