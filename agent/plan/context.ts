// What every planning function shares: the resolved device, the inputs the reconciler read or created, the
// object types the planner emits, and the metadata (labels, owner) every object carries.
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import { childPath, type ManifestIssue } from '../../manifest/index.js';
import type { Device } from '../crd/edge-deployment.js';
import { API_VERSION, KIND } from '../crd/types.js';
import { FIELD_MANAGER, LABELS, labelValue } from './names.js';

/** Secrets the planner needs but must not create itself: it is pure, and these are random or long-lived. */
export interface PlanInputs {
  /** The device key (base64); module keys are derived from it. */
  readonly deviceKey: string;
  /** The device CA certificate (PEM) modules and the hub trust. */
  readonly caCertificate: string;
  /** The hub's TLS certificate and key (PEM), issued by the device CA for `hubCertificateNames`. */
  readonly hubTls: { readonly cert: string; readonly key: string };
  /** The hub image when the EdgeDeployment names none. */
  readonly defaultHubImage: string;
}

export type PlannedObject = IServiceAccount | ISecret | IConfigMap | IPersistentVolumeClaim | IService | IDeployment;
export type PlannedKind = PlannedObject['kind'];

/** Apply order: what a Deployment refers to exists before it. */
export const KIND_ORDER: readonly PlannedKind[] = [
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'PersistentVolumeClaim',
  'Service',
  'Deployment',
];

export interface PlanContext {
  readonly device: Device;
  readonly inputs: PlanInputs;
  /** Warnings found while planning (ignored or adjusted manifest parts); errors go to `errors`. */
  readonly warnings: ManifestIssue[];
  readonly errors: ManifestIssue[];
}

/** Labels every object of this EdgeDeployment carries; pruning selects on them. */
export function ownershipLabels(device: Device): Record<string, string> {
  return {
    [LABELS.managedBy]: FIELD_MANAGER,
    [LABELS.partOf]: 'edgehub',
    [LABELS.device]: labelValue(device.deviceId),
    [LABELS.edgeDeployment]: labelValue(device.name),
  };
}

/** Labels of one module's objects; `selectorLabels` is the immutable subset Deployments select on. */
export function moduleLabels(device: Device, objectName: string): Record<string, string> {
  return { ...ownershipLabels(device), [LABELS.module]: objectName };
}

export function selectorLabels(device: Device, objectName: string): Record<string, string> {
  return { [LABELS.device]: labelValue(device.deviceId), [LABELS.module]: objectName };
}

/** Metadata with our labels and a controller ownerReference to the EdgeDeployment, so deletion cascades. */
export function metadata(
  device: Device,
  name: string,
  labels: Record<string, string>,
  annotations?: Record<string, string>,
): IObjectMeta & { name: string } {
  return { ...dataMetadata(device, name, labels, annotations), ownerReferences: [ownerReference(device)] };
}

/**
 * Metadata of an object that holds data (a PVC, the device key, the CA). Under `dataRetention: Retain` it has
 * no ownerReference, so the garbage collector leaves it when the EdgeDeployment goes; our labels stay, so a new
 * EdgeDeployment of the same name takes it up again.
 */
export function dataMetadata(
  device: Device,
  name: string,
  labels: Record<string, string>,
  annotations?: Record<string, string>,
): IObjectMeta & { name: string } {
  return {
    name,
    namespace: device.namespace,
    labels,
    ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}),
    ...(device.dataRetention === 'Delete' ? { ownerReferences: [ownerReference(device)] } : {}),
  };
}

function ownerReference(device: Device) {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: device.name,
    uid: device.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Where a module sits in the EdgeDeployment, for issues. */
export function modulePath(moduleId: string): string {
  return moduleId === '$edgeHub'
    ? 'spec.modulesContent.$edgeAgent["properties.desired"].systemModules.edgeHub'
    : childPath('spec.modulesContent.$edgeAgent["properties.desired"].modules', moduleId);
}

export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
