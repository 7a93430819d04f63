// `edgehub agent`: runs the controller that turns EdgeDeployments into running modules. In a cluster it uses
// its service account; elsewhere KUBECONFIG or ~/.kube/config.
import { hostname } from 'node:os';
import { DEFAULT_AGENT_METRICS_PORT } from '../agent/plan/hub-args.js';
import { UsageError } from './command.js';
import { flagOrEnv, parseFlags, portFlag } from './flags.js';

const HELP = `Usage: edgehub agent [options]

Runs the edgehub agent: watches EdgeDeployments (edgehub.io/v1alpha1) and reconciles each into the
Deployments, Services, PVCs, Secrets and ConfigMaps of its device namespace.

Options:
  --namespace <ns>         Watch only this namespace (default: all namespaces).    [EDGEHUB_NAMESPACE]
  --metrics-port <port>    Serve /healthz, /readyz and /metrics here (default ${DEFAULT_AGENT_METRICS_PORT}; "off" for none).
  --resync <duration>      Re-reconcile everything this often, to repair drift (default 60s).
  --hub-image <image>      The hub image for EdgeDeployments that name none.         [EDGEHUB_HUB_IMAGE]
  --workers <n>            EdgeDeployments reconciled at once (default 2).
  --no-leader-elect        Act without a leader lease (only ever run one replica then).
  --lease-namespace <ns>   Namespace of the leader Lease (default: POD_NAMESPACE, else the watched
                           namespace, else "default").
  --identity <id>          Name in the Lease (default: POD_NAME, else the host name).
  -h, --help               Show this help.

Logs are JSON lines (pino), component "agent"; EDGEHUB_LOG_LEVEL sets the level (default info).
`;

const FLAGS = {
  namespace: { type: 'string' },
  'metrics-port': { type: 'string' },
  resync: { type: 'string' },
  'hub-image': { type: 'string' },
  workers: { type: 'string' },
  'no-leader-elect': { type: 'boolean' },
  'lease-namespace': { type: 'string' },
  identity: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `500ms`, `30s`, `5m`, `1h`, or a bare number of seconds → milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--${flag} must be a duration such as 30s, 5m or 1h, got "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  const ms = Number(m[1]) * unit;
  if (ms < 1000) throw new UsageError(`--${flag} must be at least 1s, got "${text}"`);
  return ms;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({ args: argv, options: FLAGS, allowPositionals: false });
  if (values.help === true) {
    console.log(HELP);
    return 0;
  }
  const namespace = flagOrEnv(values.namespace, 'EDGEHUB_NAMESPACE');
  const port = portFlag(values['metrics-port'] ?? String(DEFAULT_AGENT_METRICS_PORT), 'metrics-port', true)!;
  const resyncMs = parseDuration(values.resync ?? '60s', 'resync');
  const workers = Number(values.workers ?? '2');
  if (!Number.isInteger(workers) || workers < 1 || workers > 32) throw new UsageError('--workers must be 1–32');
  const hubImage = flagOrEnv(values['hub-image'], 'EDGEHUB_HUB_IMAGE');

  const { KubeConfig } = await import('@kubernetes/client-node');
  const { startAgent } = await import('../agent/main.js');
  const { createLogger } = await import('../agent/log.js');
  const log = createLogger();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const agent = await startAgent({
    kubeConfig,
    log,
    ...(namespace ? { namespace } : {}),
    ...(hubImage ? { hubImage } : {}),
    ...(port >= 0 ? { metricsPort: port } : {}),
    resyncMs,
    workers,
    ...(values['no-leader-elect'] === true
      ? {}
      : {
          leaderElection: {
            namespace: values['lease-namespace'] ?? process.env.POD_NAMESPACE ?? namespace ?? 'default',
            identity: values.identity ?? process.env.POD_NAME ?? hostname(),
          },
        }),
  });
  agent.metrics.collectProcessMetrics();
  log.info({ event: 'agent.started', namespace: namespace ?? '(all)', metricsPort: agent.healthPort }, 'agent started');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log.info({ event: 'agent.stopping' }, 'stopping');
  await agent.stop();
  return 0;
}
