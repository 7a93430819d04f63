// A module's container: image, command, environment and ports from the manifest (reference/kubernetes.md
// §3.3), and warnings for the createOptions nothing on Kubernetes translates.
import type { IContainerPort } from 'kubernetes-models/v1/ContainerPort';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { childPath, DEFAULT_STARTUP_ORDER, type ModuleSpec } from '../../manifest/index.js';
import { modulePath, type PlanContext } from './context.js';
import { isHostname } from './experimental.js';

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
  'Hostname',
];
const TRANSLATED_HOST = ['PortBindings', 'Binds', 'Mounts', 'Privileged', 'NetworkMode', 'IpcMode', 'PidMode'];

const has = (list: readonly string[], key: string) => list.some((k) => k.toLowerCase() === key.toLowerCase());

/** Warns once per createOptions field that has no Kubernetes translation (Docker memory limits, devices…). */
export function warnUntranslated(ctx: PlanContext, module: ModuleSpec): void {
  const at = childPath(childPath(modulePath(module.name), 'settings'), 'createOptions');
  for (const [key, value] of Object.entries(module.createOptions.raw)) {
    if (key.toLowerCase() === 'hostname' && !(typeof value === 'string' && isHostname(value))) {
      ctx.warnings.push({
        path: childPath(at, key),
        severity: 'warning',
        message: `ignored: Hostname ${JSON.stringify(value)} is not a pod hostname (lowercase letters, digits and "-", at most 63)`,
      });
    } else if (!has(TRANSLATED, key)) {
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
 * `restartPolicy` and `startupOrder` have no Deployment equivalent: a Deployment's pods always restart, and
 * Kubernetes starts every module at once (modules retry until the hub answers, as the Azure SDKs do). Said
 * once per module, so nobody relies on them silently.
 */
export function warnLifecycle(ctx: PlanContext, module: ModuleSpec): void {
  if (module.restartPolicy !== 'always') {
    ctx.warnings.push({
      path: childPath(modulePath(module.name), 'restartPolicy'),
      severity: 'warning',
      message: `restartPolicy "${module.restartPolicy}" is not translated: a Deployment's pod always restarts (to stop a module, set status "stopped")`,
    });
  }
  if (module.startupOrder !== DEFAULT_STARTUP_ORDER) {
    ctx.warnings.push({
      path: childPath(modulePath(module.name), 'startupOrder'),
      severity: 'warning',
      message: `startupOrder ${module.startupOrder} is not translated: Kubernetes starts every module at once, and a module retries until the hub answers`,
    });
  }
}

/** Names API servers before 1.32 accept (1.32 relaxed it to any printable ASCII but "="; older ones still run). */
export const PORTABLE_ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * A manifest's environment variable name as Kubernetes takes it. `:` is .NET's configuration separator
 * (`Logging:LogLevel:Default`), which older API servers refuse; .NET reads `__` as the same separator, so the
 * name is written with `__` (a warning says so). Any other name those servers refuse is an error naming the
 * module, before anything is applied.
 */
export function envName(ctx: PlanContext, module: ModuleSpec, name: string): string | undefined {
  if (PORTABLE_ENV_NAME.test(name)) return name;
  const path = childPath(modulePath(module.name), 'env');
  const renamed = name.replaceAll(':', '__');
  if (renamed !== name && PORTABLE_ENV_NAME.test(renamed)) {
    ctx.warnings.push({
      path,
      severity: 'warning',
      message: `${name} is set as ${renamed}: Kubernetes before 1.32 refuses ":" in names, and .NET configuration reads "__" as ":"`,
    });
    return renamed;
  }
  ctx.errors.push({
    path,
    message: `module ${module.name}: environment variable name "${name}" is refused by Kubernetes before 1.32 (letters, digits, "-", "." and "_", not starting with a digit); rename it`,
  });
  return undefined;
}

/**
 * The container environment: createOptions `Env`, then the module's `env` (which wins, as on Docker), then
 * the runtime's variables (which win over both, so credentials are always right). One entry per name.
 */
export function moduleEnv(ctx: PlanContext, module: ModuleSpec, runtime: readonly IEnvVar[]): IEnvVar[] {
  const byName = new Map<string, IEnvVar>();
  for (const e of [...module.createOptions.env, ...module.env]) {
    const name = envName(ctx, module, e.name);
    if (name !== undefined) byName.set(name, { name, value: e.value });
  }
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
