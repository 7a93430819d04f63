// Module identity: a ServiceAccount with no API rights, a Secret with the module's connection string
// (key derived from the device key), the CA ConfigMap, and the environment every Azure IoT SDK reads.
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { deriveModuleKey, formatConnectionString } from '../../manifest/index.js';
import { base64, metadata, moduleLabels, ownershipLabels, type PlanContext } from './context.js';
import { ANNOTATIONS, contentDigest, GATEWAY_HOST_NAME, HUB } from './names.js';

export const CA_MOUNT_PATH = '/etc/edgehub/ca';
export const CA_FILE = 'ca.crt';
export const CONNECTION_STRING_KEY = 'connectionString';
const CA_VOLUME = 'edgehub-ca';

export function identitySecretName(objectName: string): string {
  return `${objectName}-identity`;
}

/** The module's connection string: what the SDK's `fromEnvironment` reads from `EdgeHubConnectionString`. */
export function moduleConnectionString(ctx: PlanContext, moduleId: string): string {
  return formatConnectionString({
    hostName: ctx.device.iotHubHostName,
    gatewayHostName: GATEWAY_HOST_NAME,
    deviceId: ctx.device.deviceId,
    moduleId,
    sharedAccessKey: deriveModuleKey(ctx.inputs.deviceKey, moduleId),
  });
}

export function planServiceAccount(ctx: PlanContext, objectName: string, moduleId: string): IServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: metadata(ctx.device, objectName, moduleLabels(ctx.device, objectName), {
      [ANNOTATIONS.moduleId]: moduleId,
    }),
    // Modules never call the Kubernetes API; no token is mounted and no Role is bound.
    automountServiceAccountToken: false,
  };
}

export function planIdentitySecret(ctx: PlanContext, objectName: string, moduleId: string): ISecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metadata(ctx.device, identitySecretName(objectName), moduleLabels(ctx.device, objectName), {
      [ANNOTATIONS.moduleId]: moduleId,
    }),
    type: 'Opaque',
    data: { [CONNECTION_STRING_KEY]: base64(moduleConnectionString(ctx, moduleId)) },
  };
}

/** The digest that rolls a module's pod when its credentials change (they are env, read at start). */
export function identityDigest(ctx: PlanContext, moduleId: string): string {
  return contentDigest(moduleConnectionString(ctx, moduleId) + ctx.inputs.caCertificate);
}

export function planCaConfigMap(ctx: PlanContext): IConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(ctx.device, HUB.caConfigMap, ownershipLabels(ctx.device)),
    data: { [CA_FILE]: ctx.inputs.caCertificate },
  };
}

export const caVolume: IVolume = { name: CA_VOLUME, configMap: { name: HUB.caConfigMap } };
export const caVolumeMount: IVolumeMount = { name: CA_VOLUME, mountPath: CA_MOUNT_PATH, readOnly: true };

/** Variables the runtime sets for a module; they win over same-named variables from the manifest. */
export function identityEnv(ctx: PlanContext, objectName: string, moduleId: string): IEnvVar[] {
  return [
    { name: 'IOTEDGE_DEVICEID', value: ctx.device.deviceId },
    { name: 'IOTEDGE_MODULEID', value: moduleId },
    { name: 'IOTEDGE_IOTHUBHOSTNAME', value: ctx.device.iotHubHostName },
    { name: 'IOTEDGE_GATEWAYHOSTNAME', value: GATEWAY_HOST_NAME },
    {
      name: 'EdgeHubConnectionString',
      valueFrom: { secretKeyRef: { name: identitySecretName(objectName), key: CONNECTION_STRING_KEY } },
    },
    { name: 'EdgeModuleCACertificateFile', value: `${CA_MOUNT_PATH}/${CA_FILE}` },
  ];
}
