// A module's container: image, command, environment and ports from the manifest (reference/kubernetes.md
// §3.3), and warnings for the createOptions nothing on Kubernetes translates.
import type { IContainerPort } from 'kubernetes-models/v1/ContainerPort';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { childPath, type ModuleSpec } from '../../manifest/index.js';
import { modulePath, type PlanContext } from './context.js';

const TRANSLATED = [
  'Env',
  'Cmd',
  'Entrypoint',
  'WorkingDir',
  'Labels',
  'ExposedPorts',
  'HostConfig',
  'k8s-experimental',
  'Image',
];
const TRANSLATED_HOST = ['PortBindings', 'Binds', 'Mounts', 'Privileged', 'NetworkMode', 'IpcMode', 'PidMode'];

const has = (list: readonly string[], key: string) => list.some((k) => k.toLowerCase() === key.toLowerCase());

/** Warns once per createOptions field that has no Kubernetes translation (Docker memory limits, devices…). */
export function warnUntranslated(ctx: PlanContext, module: ModuleSpec): void {
  const at = childPath(childPath(modulePath(module.name), 'settings'), 'createOptions');
  for (const [key, value] of Object.entries(module.createOptions.raw)) {
    if (!has(TRANSLATED, key)) {
      ctx.warnings.push({
        path: childPath(at, key),
        severity: 'warning',
        message: `ignored: ${key} is not translated on Kubernetes`,
      });
    } else if (key.toLowerCase() === 'hostconfig' && typeof value === 'object' && value !== null) {
      for (const hostKey of Object.keys(value)) {
        if (!has(TRANSLATED_HOST, hostKey)) {
          ctx.warnings.push({
            path: childPath(childPath(at, key), hostKey),
            severity: 'warning',
            message: `ignored: HostConfig.${hostKey} is not translated on Kubernetes (use k8s-experimental)`,
          });
        }
      }
    }
  }
}

/**
 * The container environment: createOptions `Env`, then the module's `env` (which wins, as on Docker), then
 * the runtime's variables (which win over both, so credentials are always right). One entry per name.
 */
export function moduleEnv(ctx: PlanContext, module: ModuleSpec, runtime: readonly IEnvVar[]): IEnvVar[] {
  const byName = new Map<string, IEnvVar>();
  for (const e of [...module.createOptions.env, ...module.env]) byName.set(e.name, { name: e.name, value: e.value });
  for (const e of runtime) {
    if (byName.has(e.name)) {
      ctx.warnings.push({
        path: childPath(modulePath(module.name), 'env'),
        severity: 'warning',
        message: `${e.name} is set by the runtime; the manifest's value is replaced`,
      });
    }
    byName.set(e.name, e);
  }
  return [...byName.values()];
}

/** Container ports: every exposed or bound container port, once per port and protocol. */
export function containerPorts(module: ModuleSpec): IContainerPort[] {
  const seen = new Set<string>();
  const out: IContainerPort[] = [];
  const co = module.createOptions;
  for (const p of [
    ...co.exposedPorts,
    ...co.portBindings.map((b) => ({ port: b.containerPort, protocol: b.protocol })),
  ]) {
    const key = `${p.port}/${p.protocol}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ containerPort: p.port, protocol: p.protocol });
  }
  return out;
}

/** Kubernetes names for the manifest's pull policy: `on-create` pulls when missing, `never` never pulls. */
export function imagePullPolicy(module: ModuleSpec): 'IfNotPresent' | 'Never' {
  return module.imagePullPolicy === 'never' ? 'Never' : 'IfNotPresent';
}
