// The EdgeDeployment custom resource: one per device namespace. Its spec carries the manifest's
// `modulesContent` exactly as users write it, plus a few settings of ours; its status is written by the agent.
import type { ServiceType } from '../../manifest/index.js';

export const GROUP = 'edgehub.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'EdgeDeployment';
export const PLURAL = 'edgedeployments';
export const SINGULAR = 'edgedeployment';

export const SERVICE_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort', 'LoadBalancer'];
export const ACCESS_MODES = ['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

export interface StorageSettings {
  /** Absent: the cluster's default storage class. */
  readonly storageClassName?: string;
  /** A Kubernetes quantity such as `1Gi`. */
  readonly size?: string;
}

export interface HubSettings {
  /** The hub image; absent: the agent's default (`edgehub agent --hub-image`). */
  readonly image?: string;
  /** Type of Service `edgehub`; ClusterIP by default. */
  readonly serviceType?: ServiceType;
  /** Extra names (and IPs) clients outside the cluster use; they go into the hub certificate's SANs. */
  readonly externalHostnames?: readonly string[];
  /** The hub's store (a PVC, never an emptyDir). */
  readonly storage?: StorageSettings;
  /** core/v1 ResourceRequirements of the hub container. */
  readonly resources?: Readonly<Record<string, unknown>>;
}

export interface ModuleSettings {
  /** Service type for modules with `PortBindings` (the preview's PortMappingServiceType); ClusterIP by default. */
  readonly serviceType?: ServiceType;
  /** PVCs made for Docker volumes (`Mounts` of Type volume, named `Binds`). */
  readonly volumeClaims?: StorageSettings & { readonly accessMode?: AccessMode };
}

/** What happens to a device's data (PVCs, device key and CA) when a module or the EdgeDeployment goes. */
export const DATA_RETENTION_POLICIES = ['Retain', 'Delete'] as const;
export type DataRetention = (typeof DATA_RETENTION_POLICIES)[number];

export interface EdgeDeploymentSpec {
  /** The edge device id; defaults to the resource name. */
  readonly deviceId?: string;
  /** `HostName` in module connection strings (the IoT hub the device belongs to); defaults to `edgehub.<namespace>.svc`. */
  readonly iotHubHostName?: string;
  /** The deployment manifest's `modulesContent`, unchanged. */
  readonly modulesContent: Readonly<Record<string, unknown>>;
  readonly hub?: HubSettings;
  readonly modules?: ModuleSettings;
  /**
   * `Retain` (default): PVCs (module volumes, the hub store) and the device key and CA Secrets have no owner
   * reference and are never pruned, so they outlive a removed module and a deleted EdgeDeployment, and a new
   * EdgeDeployment of the same name takes them up again. `Delete`: they go with their module or EdgeDeployment.
   */
  readonly dataRetention?: DataRetention;
}

export type ConditionType = 'Ready' | 'Progressing' | 'Degraded';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  readonly type: ConditionType;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration?: number;
}

/** edgeAgent's runtime status values (reference/kubernetes.md §4.2). */
export type RuntimeStatus = 'unknown' | 'backoff' | 'running' | 'unhealthy' | 'stopped' | 'failed';

export interface ModuleRuntimeStatus {
  /** The module id as written in the manifest (`$edgeHub` for the hub). */
  readonly name: string;
  readonly desiredStatus: 'running' | 'stopped';
  readonly runtimeStatus: RuntimeStatus;
  readonly statusDescription?: string;
  readonly exitCode?: number;
  readonly restartCount?: number;
  readonly lastStartTimeUtc?: string;
  readonly lastExitTimeUtc?: string;
  readonly image?: string;
}

export interface StatusIssue {
  readonly path: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

export interface EdgeDeploymentStatus {
  readonly observedGeneration?: number;
  readonly conditions?: readonly Condition[];
  readonly modules?: readonly ModuleRuntimeStatus[];
  /** Manifest and planning issues of the observed generation (at most MAX_STATUS_ISSUES). */
  readonly issues?: readonly StatusIssue[];
}

export interface EdgeDeploymentMetadata {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly generation?: number;
  readonly resourceVersion?: string;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
}

export interface EdgeDeployment {
  readonly apiVersion: typeof API_VERSION;
  readonly kind: typeof KIND;
  readonly metadata: EdgeDeploymentMetadata;
  readonly spec: EdgeDeploymentSpec;
  readonly status?: EdgeDeploymentStatus;
}

export const MAX_STATUS_ISSUES = 50;
