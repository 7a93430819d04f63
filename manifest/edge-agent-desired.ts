// The `$edgeAgent` desired properties: schema version, runtime with registry credentials, the system modules
// and the user modules (reference/routing.md §3.5). Refuses, with a JSON path, what can never run: a missing or
// empty image, an unknown status, a broken createOptions. Kubernetes naming is the planner's business.
import { readCreateOptions, isCreateOptionsKey } from './create-options.js';
import { childPath, describeType, isPlainObject, type ManifestIssue, type Validated } from './issues.js';
import {
  DEFAULT_STARTUP_ORDER,
  IMAGE_PULL_POLICIES,
  MODULE_STATUSES,
  RESTART_POLICIES,
  SUPPORTED_EDGEAGENT_SCHEMA_VERSIONS,
  type EdgeAgentDesiredProperties,
  type EdgeAgentSchemaVersion,
  type EnvVar,
  type ModuleSpec,
  type RegistryCredential,
} from './types.js';

const UINT32_MAX = 4294967295;
/** IoT Hub module ids: up to 128 ASCII letters, digits and `-.+%_#*?!(),:=@$'`. */
const MODULE_ID = /^[A-Za-z0-9\-.+%_#*?!(),:=@$']{1,128}$/;
const MODULE_KEYS = [
  'version',
  'type',
  'status',
  'restartPolicy',
  'startupOrder',
  'imagePullPolicy',
  'settings',
  'env',
];

function warnUnknownKeys(
  obj: Record<string, unknown>,
  known: readonly string[],
  path: string,
  issues: ManifestIssue[],
) {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key))
      issues.push({ path: childPath(path, key), severity: 'warning', message: `ignored: unknown field "${key}"` });
  }
}

function readSchemaVersion(value: unknown, path: string, issues: ManifestIssue[]): EdgeAgentSchemaVersion | undefined {
  const m = typeof value === 'string' ? /^(\d+)\.(\d+)(?:\.\d+){0,2}$/.exec(value.trim()) : null;
  const version = m ? `${Number(m[1])}.${Number(m[2])}` : undefined;
  if (version !== undefined && (SUPPORTED_EDGEAGENT_SCHEMA_VERSIONS as readonly string[]).includes(version)) {
    return version as EdgeAgentSchemaVersion;
  }
  issues.push({
    path,
    message:
      value === undefined
        ? 'schemaVersion is missing; write "1.1"'
        : `unsupported schemaVersion ${JSON.stringify(value)}; supported: ${SUPPORTED_EDGEAGENT_SCHEMA_VERSIONS.join(', ')}`,
  });
  return undefined;
}

function readEnum<T extends string>(
  value: unknown,
  allowed: readonly T[],
  fallback: T,
  path: string,
  issues: ManifestIssue[],
): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  issues.push({ path, message: `must be one of ${allowed.join(', ')}, got ${describeType(value)}` });
  return fallback;
}

/** `env: {NAME: {value}}`; numbers and booleans are written as text, as edgeAgent does. */
function readModuleEnv(value: unknown, path: string, issues: ManifestIssue[]): EnvVar[] {
  if (value === undefined || value === null) return [];
  if (!isPlainObject(value)) {
    issues.push({ path, message: `env must be an object {"NAME": {"value": "…"}}, got ${describeType(value)}` });
    return [];
  }
  const out: EnvVar[] = [];
  for (const [name, entry] of Object.entries(value)) {
    const at = childPath(path, name);
    const v = isPlainObject(entry) ? entry.value : undefined;
    if (name === '' || name.includes('=')) {
      issues.push({ path: at, message: 'an environment variable name must be non-empty and contain no "="' });
    } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      out.push({ name, value: String(v) });
    } else {
      issues.push({ path: at, message: `write {"value": "…"}, got ${describeType(entry)}` });
    }
  }
  return out;
}

function readImage(value: unknown, path: string, issues: ManifestIssue[]): string {
  if (typeof value !== 'string' || value.trim() === '') {
    issues.push({ path, message: value === undefined ? 'image is missing' : 'image must be a non-empty string' });
    return '';
  }
  if (/\$\{[^}]*\}/.test(value)) {
    issues.push({
      path,
      message: `image "${value}" holds an unresolved \${…} placeholder; build the deployment template first`,
    });
  } else if (value.trim().startsWith('$')) {
    issues.push({
      path,
      message: value.trim().startsWith('$upstream')
        ? `image "${value}" pulls through $upstream, the parent device's registry proxy in nested IoT Edge; there is no parent device on Kubernetes: name the registry itself (for example myacr.azurecr.io/${value.replace(/^\$upstream(:\d+)?\//, '')})`
        : `image "${value}" starts with an unresolved "$" variable; name the image itself`,
    });
  } else if (/\s/.test(value)) {
    issues.push({ path, message: `image "${value}" contains whitespace` });
  }
  return value.trim();
}

/** One module (user or system). `system` modules always run and carry no status fields of their own. */
export function readModule(
  name: string,
  value: unknown,
  path: string,
  issues: ManifestIssue[],
  system = false,
): ModuleSpec | undefined {
  const before = issues.filter((i) => i.severity !== 'warning').length;
  if (!isPlainObject(value)) {
    issues.push({ path, message: `a module must be an object {type, settings: {image}}, got ${describeType(value)}` });
    return undefined;
  }
  warnUnknownKeys(value, MODULE_KEYS, path, issues);
  if (value.type !== 'docker') {
    issues.push({
      path: childPath(path, 'type'),
      message:
        value.type === undefined
          ? 'type is missing; write "docker"'
          : `unsupported module type ${JSON.stringify(value.type)}; only "docker"`,
    });
  }
  let version: string | undefined;
  if (value.version !== undefined) {
    if (typeof value.version === 'string') version = value.version;
    else
      issues.push({
        path: childPath(path, 'version'),
        message: `version must be a string, got ${describeType(value.version)}`,
      });
  }
  const status = readEnum(value.status, MODULE_STATUSES, 'running', childPath(path, 'status'), issues);
  if (system && status !== 'running')
    issues.push({ path: childPath(path, 'status'), message: 'a system module always runs' });
  const restartPolicy = readEnum(
    value.restartPolicy,
    RESTART_POLICIES,
    'always',
    childPath(path, 'restartPolicy'),
    issues,
  );
  const imagePullPolicy = readEnum(
    value.imagePullPolicy,
    IMAGE_PULL_POLICIES,
    'on-create',
    childPath(path, 'imagePullPolicy'),
    issues,
  );
  let startupOrder = DEFAULT_STARTUP_ORDER;
  if (value.startupOrder !== undefined) {
    const s = value.startupOrder;
    if (typeof s === 'number' && Number.isInteger(s) && s >= 0 && s <= UINT32_MAX) startupOrder = s;
    else
      issues.push({
        path: childPath(path, 'startupOrder'),
        message: `startupOrder must be a whole number 0…${UINT32_MAX}, got ${describeType(s)}`,
      });
  }
  const settingsPath = childPath(path, 'settings');
  const settings = value.settings;
  if (!isPlainObject(settings)) {
    issues.push({
      path: settingsPath,
      message:
        settings === undefined
          ? 'settings are missing; write {"image": "…"}'
          : `settings must be an object, got ${describeType(settings)}`,
    });
    return undefined;
  }
  for (const key of Object.keys(settings)) {
    if (key !== 'image' && !isCreateOptionsKey(key)) {
      issues.push({
        path: childPath(settingsPath, key),
        severity: 'warning',
        message: `ignored: unknown setting "${key}"`,
      });
    }
  }
  const image = readImage(settings.image, childPath(settingsPath, 'image'), issues);
  const createOptions = readCreateOptions(settings, settingsPath, issues);
  const env = readModuleEnv(value.env, childPath(path, 'env'), issues);
  if (issues.filter((i) => i.severity !== 'warning').length > before) return undefined;
  return {
    name,
    ...(version !== undefined ? { version } : {}),
    type: 'docker',
    status,
    restartPolicy,
    startupOrder,
    imagePullPolicy,
    image,
    createOptions,
    env,
  };
}

function readRegistryCredentials(value: unknown, path: string, issues: ManifestIssue[]): RegistryCredential[] {
  if (value === undefined || value === null) return [];
  if (!isPlainObject(value)) {
    issues.push({
      path,
      message: `registryCredentials must be an object of name → {username, password, address}, got ${describeType(value)}`,
    });
    return [];
  }
  const out: RegistryCredential[] = [];
  for (const [name, entry] of Object.entries(value)) {
    const at = childPath(path, name);
    if (!isPlainObject(entry)) {
      issues.push({ path: at, message: `write {username, password, address}, got ${describeType(entry)}` });
      continue;
    }
    const fields = ['username', 'password', 'address'] as const;
    const missing = fields.filter((f) => typeof entry[f] !== 'string' || entry[f].trim() === '');
    for (const f of missing) issues.push({ path: childPath(at, f), message: `${f} must be a non-empty string` });
    if (missing.length === 0) {
      out.push({
        name,
        username: entry.username as string,
        password: entry.password as string,
        address: (entry.address as string).trim(),
      });
    }
  }
  return out;
}

function readRuntime(value: unknown, path: string, issues: ManifestIssue[]): EdgeAgentDesiredProperties['runtime'] {
  if (!isPlainObject(value)) {
    issues.push({
      path,
      message:
        value === undefined
          ? 'runtime is missing; write {"type": "docker", "settings": {}}'
          : `runtime must be an object, got ${describeType(value)}`,
    });
    return { type: 'docker', registryCredentials: [] };
  }
  if (value.type !== 'docker') {
    issues.push({
      path: childPath(path, 'type'),
      message: `runtime type must be "docker", got ${describeType(value.type)}`,
    });
  }
  const settings = isPlainObject(value.settings) ? value.settings : {};
  if (value.settings !== undefined && !isPlainObject(value.settings)) {
    issues.push({
      path: childPath(path, 'settings'),
      message: `runtime settings must be an object, got ${describeType(value.settings)}`,
    });
  }
  const settingsPath = childPath(path, 'settings');
  const text = (key: string): string | undefined => {
    const v = settings[key];
    if (v === undefined || typeof v === 'string') return v;
    issues.push({ path: childPath(settingsPath, key), message: `${key} must be a string, got ${describeType(v)}` });
    return undefined;
  };
  const minDockerVersion = text('minDockerVersion');
  const loggingOptions = text('loggingOptions');
  return {
    type: 'docker',
    ...(minDockerVersion !== undefined ? { minDockerVersion } : {}),
    ...(loggingOptions !== undefined ? { loggingOptions } : {}),
    registryCredentials: readRegistryCredentials(
      settings.registryCredentials,
      childPath(settingsPath, 'registryCredentials'),
      issues,
    ),
  };
}

function readModules(value: unknown, path: string, issues: ManifestIssue[]): ModuleSpec[] {
  if (value === undefined || value === null) return [];
  if (!isPlainObject(value)) {
    issues.push({ path, message: `modules must be an object of module id → module, got ${describeType(value)}` });
    return [];
  }
  const out: ModuleSpec[] = [];
  for (const [name, entry] of Object.entries(value)) {
    const at = childPath(path, name);
    if (!MODULE_ID.test(name) || name.startsWith('$')) {
      issues.push({
        path: at,
        message: name.startsWith('$')
          ? `module ids starting with "$" are reserved for the runtime`
          : `"${name}" is not a module id: 1–128 letters, digits and -.+%_#*?!(),:=@$'`,
      });
      continue;
    }
    const module = readModule(name, entry, at, issues);
    if (module) out.push(module);
  }
  return out;
}

/** Validates `$edgeAgent` desired properties; `path` is where they sit in the document, for messages. */
export function validateEdgeAgentDesired(
  value: unknown,
  path = '$edgeAgent.properties.desired',
): Validated<EdgeAgentDesiredProperties> {
  if (!isPlainObject(value)) {
    return {
      ok: false,
      issues: [{ path, message: `$edgeAgent desired properties must be an object, got ${describeType(value)}` }],
    };
  }
  const issues: ManifestIssue[] = [];
  warnUnknownKeys(value, ['schemaVersion', 'runtime', 'systemModules', 'modules'], path, issues);
  const schemaVersion = readSchemaVersion(value.schemaVersion, childPath(path, 'schemaVersion'), issues);
  const runtime = readRuntime(value.runtime, childPath(path, 'runtime'), issues);
  const sysPath = childPath(path, 'systemModules');
  const sys = value.systemModules;
  let edgeAgent: ModuleSpec | undefined;
  let edgeHub: ModuleSpec | undefined;
  if (isPlainObject(sys)) {
    warnUnknownKeys(sys, ['edgeAgent', 'edgeHub'], sysPath, issues);
    if (sys.edgeAgent !== undefined)
      edgeAgent = readModule('$edgeAgent', sys.edgeAgent, childPath(sysPath, 'edgeAgent'), issues, true);
    if (sys.edgeHub !== undefined)
      edgeHub = readModule('$edgeHub', sys.edgeHub, childPath(sysPath, 'edgeHub'), issues, true);
  } else if (sys !== undefined) {
    issues.push({
      path: sysPath,
      message: `systemModules must be an object {edgeAgent, edgeHub}, got ${describeType(sys)}`,
    });
  }
  const modules = readModules(value.modules, childPath(path, 'modules'), issues);
  if (schemaVersion === undefined || issues.some((i) => i.severity !== 'warning')) return { ok: false, issues };
  return {
    ok: true,
    value: {
      schemaVersion,
      runtime,
      systemModules: { ...(edgeAgent ? { edgeAgent } : {}), ...(edgeHub ? { edgeHub } : {}) },
      modules,
    },
    issues,
  };
}
