// The deployment manifest as a typed value: what `validateManifest` returns once a document is sound.
// `$edgeHub` types live in edgehub-desired.ts; this file holds `$edgeAgent` and the whole document.
import type { EdgeHubDesiredProperties } from './edgehub-desired.js';

export const SUPPORTED_EDGEAGENT_SCHEMA_VERSIONS = ['1.0', '1.1'] as const;
export type EdgeAgentSchemaVersion = (typeof SUPPORTED_EDGEAGENT_SCHEMA_VERSIONS)[number];

export const MODULE_STATUSES = ['running', 'stopped'] as const;
export type ModuleStatus = (typeof MODULE_STATUSES)[number];

export const RESTART_POLICIES = ['never', 'on-failure', 'on-unhealthy', 'always'] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

export const IMAGE_PULL_POLICIES = ['on-create', 'never'] as const;
export type ImagePullPolicy = (typeof IMAGE_PULL_POLICIES)[number];

/** `startupOrder` when the manifest gives none: last (reference/routing.md §3.5). */
export const DEFAULT_STARTUP_ORDER = 4294967295;

export interface EnvVar {
  readonly name: string;
  readonly value: string;
}

export type PortProtocol = 'TCP' | 'UDP' | 'SCTP';

/** An `ExposedPorts` key such as `"80/tcp"`. */
export interface ExposedPort {
  readonly port: number;
  readonly protocol: PortProtocol;
}

/** One `HostConfig.PortBindings` entry: container port → host port (absent when the manifest leaves it empty). */
export interface PortBinding {
  readonly containerPort: number;
  readonly protocol: PortProtocol;
  readonly hostPort?: number;
  readonly hostIp?: string;
}

/** A `HostConfig.Binds` entry `src:dst[:mode]`; a source that is not an absolute path names a Docker volume. */
export interface Bind {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

export type MountType = 'bind' | 'volume' | 'tmpfs';

/** A `HostConfig.Mounts` entry; `source` is empty for tmpfs. */
export interface Mount {
  readonly type: MountType;
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

/** One `k8s-experimental.volumes` entry: a core/v1 Volume and its mounts, copied as written. */
export interface ExperimentalVolume {
  readonly volume: Readonly<Record<string, unknown>>;
  readonly volumeMounts: readonly Readonly<Record<string, unknown>>[];
}

/** The `k8s-experimental` section of createOptions (reference/kubernetes.md §3.7); values are Kubernetes JSON. */
export interface K8sExperimental {
  readonly volumes?: readonly ExperimentalVolume[];
  readonly resources?: Readonly<Record<string, unknown>>;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly securityContext?: Readonly<Record<string, unknown>>;
  readonly serviceOptions?: { readonly type?: ServiceType; readonly loadBalancerIP?: string };
  readonly strategy?: Readonly<Record<string, unknown>>;
}

/** Docker create options, read into the fields a runtime can translate; `raw` keeps the whole parsed object. */
export interface CreateOptions {
  /** How the manifest wrote them: one string, a string split into `createOptionsNN` chunks, or an object (our extension). */
  readonly source: 'absent' | 'string' | 'chunks' | 'object';
  readonly raw: Readonly<Record<string, unknown>>;
  readonly env: readonly EnvVar[];
  readonly cmd?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly workingDir?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly exposedPorts: readonly ExposedPort[];
  readonly portBindings: readonly PortBinding[];
  readonly binds: readonly Bind[];
  readonly mounts: readonly Mount[];
  readonly privileged: boolean;
  readonly networkMode?: string;
  readonly ipcMode?: string;
  readonly pidMode?: string;
  readonly k8sExperimental: K8sExperimental;
}

/** A module of `$edgeAgent.modules` (and, with fixed status, `systemModules.edgeHub`). */
export interface ModuleSpec {
  /** The module id exactly as written in the manifest. */
  readonly name: string;
  readonly version?: string;
  readonly type: 'docker';
  readonly status: ModuleStatus;
  readonly restartPolicy: RestartPolicy;
  readonly startupOrder: number;
  readonly imagePullPolicy: ImagePullPolicy;
  readonly image: string;
  readonly createOptions: CreateOptions;
  readonly env: readonly EnvVar[];
}

/** `runtime.settings.registryCredentials.<name>`. */
export interface RegistryCredential {
  /** The key under `registryCredentials`. */
  readonly name: string;
  readonly username: string;
  readonly password: string;
  readonly address: string;
}

export interface EdgeAgentDesiredProperties {
  readonly schemaVersion: EdgeAgentSchemaVersion;
  readonly runtime: {
    readonly type: 'docker';
    readonly minDockerVersion?: string;
    readonly loggingOptions?: string;
    readonly registryCredentials: readonly RegistryCredential[];
  };
  readonly systemModules: {
    readonly edgeAgent?: ModuleSpec;
    readonly edgeHub?: ModuleSpec;
  };
  /** User modules in manifest order. */
  readonly modules: readonly ModuleSpec[];
}

/** A whole deployment manifest (`modulesContent`), validated. */
export interface DeploymentManifest {
  /** Absent only when validation was asked to accept a manifest without `$edgeAgent` (the hub's own config file). */
  readonly edgeAgent?: EdgeAgentDesiredProperties;
  readonly edgeHub: EdgeHubDesiredProperties;
  /** Per-module desired properties (`modulesContent.<module>["properties.desired"]`), keyed by module id. */
  readonly moduleTwins: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** `modulesContent` exactly as written. */
  readonly modulesContent: Readonly<Record<string, unknown>>;
}
