// `edgehub deploy <manifest.json> --device <id> --namespace <ns>`: creates or updates the device namespace and
// its EdgeDeployment from an Azure-style deployment manifest (server-side apply, field manager edgehub-cli).
// Also home of the device settings flags, shared with `edgehub manifest render`.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { formatIssues, hasErrors, validateManifest, type ServiceType } from '../manifest/index.js';
import type { KubeObject } from '../agent/apply/kube.js';
import { buildEdgeDeployment, type EdgeDeploymentSettings } from '../agent/crd/build.js';
import { KIND, SERVICE_TYPES } from '../agent/crd/types.js';
import { toYamlDocuments } from '../agent/yaml.js';
import { UsageError } from './command.js';
import { parseFlags } from './flags.js';

/** Flags that fill the EdgeDeployment's settings (spec fields other than modulesContent). */
export const SETTINGS_FLAGS = {
  device: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  name: { type: 'string' },
  'iothub-hostname': { type: 'string' },
  'hub-image': { type: 'string' },
  'hub-service-type': { type: 'string' },
  'external-hostname': { type: 'string', multiple: true },
  'hub-storage-class': { type: 'string' },
  'hub-storage-size': { type: 'string' },
  'module-service-type': { type: 'string' },
  'volume-storage-class': { type: 'string' },
  'volume-size': { type: 'string' },
} as const;

export const SETTINGS_HELP = `Device options:
  --device <id>                 The edge device id (required).
  -n, --namespace <ns>          The device namespace (required).
  --name <name>                 EdgeDeployment name (default: the device id, DNS-safe).
  --iothub-hostname <host>      HostName in module connection strings (default: edgehub.<ns>.svc).
  --hub-image <image>           The hub image (default: the agent's).
  --hub-service-type <type>     ClusterIP (default), NodePort or LoadBalancer for Service edgehub.
  --external-hostname <name>    A name clients outside the cluster use (repeatable; goes into the hub certificate).
  --hub-storage-class <class>   Storage class of the hub's store (default: the cluster default).
  --hub-storage-size <size>     Size of the hub's store (default 1Gi).
  --module-service-type <type>  Service type for modules with PortBindings (default ClusterIP).
  --volume-storage-class <c>    Storage class of PVCs for Docker volumes.
  --volume-size <size>          Size of PVCs for Docker volumes (default 1Gi).`;

type SettingsValues = {
  [K in keyof typeof SETTINGS_FLAGS]?: (typeof SETTINGS_FLAGS)[K] extends { multiple: true } ? string[] : string;
};

function serviceType(value: string | undefined, flag: string): ServiceType | undefined {
  if (value === undefined) return undefined;
  const t = SERVICE_TYPES.find((s) => s.toLowerCase() === value.toLowerCase());
  if (!t) throw new UsageError(`--${flag} must be one of ${SERVICE_TYPES.join(', ')}, got "${value}"`);
  return t;
}

/** The device id, namespace, name and settings the flags give. */
export function deviceFromFlags(v: SettingsValues): {
  deviceId: string;
  namespace: string;
  name?: string;
  settings: EdgeDeploymentSettings;
} {
  if (!v.device) throw new UsageError('--device <id> is required');
  if (!v.namespace) throw new UsageError('--namespace <ns> is required');
  const hubServiceType = serviceType(v['hub-service-type'], 'hub-service-type');
  const moduleServiceType = serviceType(v['module-service-type'], 'module-service-type');
  const hubStorage = {
    ...(v['hub-storage-class'] ? { storageClassName: v['hub-storage-class'] } : {}),
    ...(v['hub-storage-size'] ? { size: v['hub-storage-size'] } : {}),
  };
  const claims = {
    ...(v['volume-storage-class'] ? { storageClassName: v['volume-storage-class'] } : {}),
    ...(v['volume-size'] ? { size: v['volume-size'] } : {}),
  };
  const hub = {
    ...(v['hub-image'] ? { image: v['hub-image'] } : {}),
    ...(hubServiceType ? { serviceType: hubServiceType } : {}),
    ...(v['external-hostname']?.length ? { externalHostnames: v['external-hostname'] } : {}),
    ...(Object.keys(hubStorage).length ? { storage: hubStorage } : {}),
  };
  const modules = {
    ...(moduleServiceType ? { serviceType: moduleServiceType } : {}),
    ...(Object.keys(claims).length ? { volumeClaims: claims } : {}),
  };
  return {
    deviceId: v.device,
    namespace: v.namespace,
    ...(v.name ? { name: v.name } : {}),
    settings: {
      ...(v['iothub-hostname'] ? { iotHubHostName: v['iothub-hostname'] } : {}),
      ...(Object.keys(hub).length ? { hub } : {}),
      ...(Object.keys(modules).length ? { modules } : {}),
    },
  };
}

/** A manifest file: JSON, or YAML (JSON is YAML too, but JSON.parse gives better errors for .json). */
export function readDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let docs: unknown[];
  try {
    if (file.endsWith('.json')) return JSON.parse(text);
    docs = parseAllDocuments(text).map((d) => {
      if (d.errors.length > 0) throw d.errors[0]!;
      return d.toJS() as unknown;
    });
  } catch (err) {
    throw new UsageError(`${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  if (docs.length <= 1) return docs[0];
  // Several documents (a Namespace and the EdgeDeployment, as `deploy --dry-run` prints them): take the EdgeDeployment.
  const kinds = docs.map((d) => {
    const kind = (d as { kind?: unknown } | null)?.kind;
    return typeof kind === 'string' ? kind : '(no kind)';
  });
  const i = kinds.indexOf(KIND);
  if (i < 0) {
    throw new UsageError(
      `${file} holds ${docs.length} YAML documents (${kinds.join(', ')}) and none is an ${KIND}: give one deployment manifest, or a file with one ${KIND}`,
    );
  }
  return docs[i];
}

const HELP = `Usage: edgehub deploy <manifest.json> --device <id> --namespace <ns> [options]

Creates or updates the namespace and the EdgeDeployment of one device from an Azure IoT Edge deployment
manifest (server-side apply as "edgehub-cli"). The manifest is validated first. Uses KUBECONFIG or
~/.kube/config, or the in-cluster service account.

${SETTINGS_HELP}

Options:
  --dry-run      Print the Namespace and EdgeDeployment as YAML instead of applying them.
  -h, --help     Show this help.

Exit status: 0 applied, 1 invalid manifest or the API server refused, 2 usage error.
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags({
    args: argv,
    options: { ...SETTINGS_FLAGS, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help === true) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('deploy takes one manifest file (see --help)');
  const file = positionals[0]!;
  const doc = readDocument(file);
  if ((doc as { kind?: unknown } | null)?.kind === KIND) {
    throw new UsageError(
      `${file} is an ${KIND} already: apply it with "kubectl apply --server-side -f ${file}", or give deploy the deployment manifest it wraps`,
    );
  }
  const device = deviceFromFlags(values);
  const check = validateManifest(doc);
  if (check.issues.length > 0) console.error(formatIssues(check.issues));
  if (hasErrors(check.issues)) return 1;
  const ed = buildEdgeDeployment(doc, device)!;
  const namespace: KubeObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: device.namespace, labels: { 'app.kubernetes.io/part-of': 'edgehub' } },
  };
  if (values['dry-run'] === true) {
    process.stdout.write(toYamlDocuments([namespace, ed]));
    return 0;
  }
  // Loaded here, so `edgehub manifest …` (which shares this file's flags) never loads the Kubernetes client.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const { Kube } = await import('../agent/apply/kube.js');
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const kube = new Kube(kc, 'edgehub-cli');
  try {
    await kube.apply(namespace);
    await kube.apply(ed);
  } catch (err) {
    console.error(`edgehub deploy: ${(err as Error).message}`);
    return 1;
  }
  console.log(`edgedeployment.edgehub.io/${ed.metadata.name} applied in namespace ${device.namespace}`);
  return 0;
}
