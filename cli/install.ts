// `edgehub install`: prints what installs edgehub in a cluster (the CRD, the agent, its RBAC, optionally the
// monitoring objects) as YAML, for `edgehub install | kubectl apply --server-side -f -`. The objects come from
// deploy/objects.ts, which also generates the kustomize files under deploy/; see there for why.
import { DEFAULT_INSTALL, installObjects, type InstallOptions, type InstallScope } from '../deploy/objects.js';
import { dnsLabel } from '../agent/plan/names.js';
import { toYamlDocuments } from '../agent/yaml.js';
import { UsageError } from './command.js';
import { parseFlags } from './flags.js';

const HELP = `Usage: edgehub install [options] | kubectl apply --server-side -f -

Prints, as YAML, everything that installs edgehub in a cluster: the EdgeDeployment CRD, the agent's
namespace, ServiceAccount, least-privilege RBAC and Deployment. The same objects as
\`kubectl kustomize deploy/base\` (and deploy/overlays/… for the options below).

Options:
  -n, --namespace <ns>   The agent's namespace (default ${DEFAULT_INSTALL.namespace}).
  --image <image>        The image of the agent and of the hubs it starts (default ${DEFAULT_INSTALL.image}).
  --scope <scope>        cluster (default): the agent reconciles EdgeDeployments in every namespace (ClusterRole).
                         namespace: only in --namespace, where it runs (Role, no cluster-wide rights; the CRD
                         still has to be applied once by a cluster admin).
  --with-monitoring      Also PodMonitors for the Prometheus Operator (agent and hubs) and the Grafana
                         dashboard ConfigMap (label grafana_dashboard: "1").
  -h, --help             Show this help.

Remove: edgehub install [same options] | kubectl delete -f -   (deletes the CRD, and so every EdgeDeployment)
`;

const FLAGS = {
  namespace: { type: 'string', short: 'n' },
  image: { type: 'string' },
  scope: { type: 'string' },
  'with-monitoring': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** An RFC 1123 label. Not `dnsLabel(ns) === ns`: that folds runs of "-" into one, and `a--b` is a label too. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SCOPES: readonly InstallScope[] = ['cluster', 'namespace'];

/** The install options the flags give; undefined for --help. */
export function installOptions(argv: string[]): InstallOptions | undefined {
  const { values } = parseFlags({ args: argv, options: FLAGS, allowPositionals: false });
  if (values.help === true) return undefined;
  const namespace = values.namespace ?? DEFAULT_INSTALL.namespace;
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) {
    const suggestion = dnsLabel(namespace);
    throw new UsageError(
      '--namespace must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or ' +
        `digit, at most 63 characters; "${namespace}" is not one` +
        (suggestion !== undefined && suggestion !== namespace ? ` (try "${suggestion}")` : ''),
    );
  }
  const image = values.image ?? DEFAULT_INSTALL.image;
  if (image === '' || /\s/.test(image))
    throw new UsageError(
      `--image needs an image reference without spaces, such as ${DEFAULT_INSTALL.image}; got "${image}"`,
    );
  const scope = (values.scope ?? DEFAULT_INSTALL.scope) as InstallScope;
  if (!SCOPES.includes(scope)) throw new UsageError(`--scope must be cluster or namespace, got "${values.scope}"`);
  return { namespace, image, scope, monitoring: values['with-monitoring'] === true };
}

/** The YAML `edgehub install` prints for these options. */
export function renderInstall(o: InstallOptions): string {
  const flags = [
    `--scope ${o.scope}`,
    `--namespace ${o.namespace}`,
    `--image ${o.image}`,
    ...(o.monitoring ? ['--with-monitoring'] : []),
  ];
  return toYamlDocuments(installObjects(o), [
    `edgehub install ${flags.join(' ')}`,
    'Apply: edgehub install … | kubectl apply --server-side -f -   (the same flags remove it with kubectl delete -f -)',
    ...(o.scope === 'namespace'
      ? [
          'The CRD is cluster-scoped and is applied once by a cluster admin; without cluster rights kubectl reports',
          'it as forbidden and applies the rest.',
        ]
      : []),
  ]);
}

/** Async only to fit the command interface; everything here is synchronous. */
export function run(argv: string[]): Promise<number> {
  return Promise.resolve().then(() => {
    const o = installOptions(argv);
    if (o === undefined) {
      console.log(HELP);
      return 0;
    }
    process.stdout.write(renderInstall(o));
    return 0;
  });
}
