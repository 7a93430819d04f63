// A module's `settings.createOptions`: Docker create options as a stringified JSON, optionally continued in
// `createOptions01`…`createOptions99` chunks (the IoT Hub twin limits a string to 512 characters), or, as our
// extension, a JSON object. Then the fields a runtime translates are read into a typed view.
import { field, readString, readStringList, readStringMap } from './docker-fields.js';
import { readExposedPorts, readHostConfig } from './host-config.js';
import { childPath, describeType, isPlainObject, type ManifestIssue } from './issues.js';
import { K8S_EXPERIMENTAL_KEY, readK8sExperimental } from './k8s-experimental.js';
import type { CreateOptions, EnvVar } from './types.js';

const CHUNK_KEY = /^createOptions(\d+)$/;
const MAX_CHUNK = 99;

/** True for the settings keys createOptions owns (`createOptions`, `createOptionsNN`). */
export function isCreateOptionsKey(key: string): boolean {
  return key === 'createOptions' || CHUNK_KEY.test(key);
}

interface RawCreateOptions {
  readonly source: CreateOptions['source'];
  readonly raw: Record<string, unknown>;
}

/** Joins `createOptions` and its chunks into one object, or reports why it cannot. */
function readRaw(settings: Readonly<Record<string, unknown>>, path: string, issues: ManifestIssue[]): RawCreateOptions {
  const basePath = childPath(path, 'createOptions');
  const chunks: { n: number; key: string }[] = [];
  for (const key of Object.keys(settings)) {
    const m = CHUNK_KEY.exec(key);
    if (!m) continue;
    const n = Number(m[1]);
    if (m[1]!.length !== 2 || n < 1 || n > MAX_CHUNK) {
      issues.push({
        path: childPath(path, key),
        message: `chunk keys run createOptions01 … createOptions${MAX_CHUNK}`,
      });
      continue;
    }
    chunks.push({ n, key });
  }
  chunks.sort((a, b) => a.n - b.n);
  const base = settings.createOptions;
  if (base === undefined || base === null) {
    if (chunks.length > 0) {
      issues.push({
        path: childPath(path, chunks[0]!.key),
        message: 'createOptions chunks need createOptions to start with',
      });
    }
    return { source: 'absent', raw: {} };
  }
  if (isPlainObject(base)) {
    if (chunks.length > 0) {
      issues.push({
        path: childPath(path, chunks[0]!.key),
        message: 'createOptions is an object here; chunks only continue a createOptions string',
      });
    }
    return { source: 'object', raw: base };
  }
  if (typeof base !== 'string') {
    issues.push({
      path: basePath,
      message: `createOptions must be a JSON string (or, in edgehub, an object), got ${describeType(base)}`,
    });
    return { source: 'string', raw: {} };
  }
  let text = base;
  for (const [i, chunk] of chunks.entries()) {
    if (chunk.n !== i + 1) {
      const missing = `createOptions${String(i + 1).padStart(2, '0')}`;
      issues.push({
        path: childPath(path, chunk.key),
        message: `${missing} is missing: chunks must be numbered 01, 02, … without gaps`,
      });
      return { source: 'chunks', raw: {} };
    }
    const value = settings[chunk.key];
    if (typeof value !== 'string') {
      issues.push({
        path: childPath(path, chunk.key),
        message: `a createOptions chunk must be a string, got ${describeType(value)}`,
      });
      return { source: 'chunks', raw: {} };
    }
    text += value;
  }
  const source = chunks.length > 0 ? 'chunks' : 'string';
  if (text.trim() === '') return { source, raw: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const what = chunks.length > 0 ? 'createOptions (joined with its chunks)' : 'createOptions';
    issues.push({ path: basePath, message: `${what} is not valid JSON: ${(err as Error).message}` });
    return { source, raw: {} };
  }
  if (!isPlainObject(parsed)) {
    issues.push({ path: basePath, message: `createOptions must hold a JSON object, got ${describeType(parsed)}` });
    return { source, raw: {} };
  }
  return { source, raw: parsed };
}

/** Docker's `Env`: `KEY=value` strings; an entry without `=` (Docker's "inherit") has nothing to inherit here. */
function readEnv(raw: Readonly<Record<string, unknown>>, path: string, issues: ManifestIssue[]): EnvVar[] {
  const f = field(raw, 'Env', path);
  if (f === undefined) return [];
  if (!Array.isArray(f.value)) {
    issues.push({ path: f.path, message: `Env must be a list of "NAME=value" strings, got ${describeType(f.value)}` });
    return [];
  }
  const out: EnvVar[] = [];
  f.value.forEach((entry, i) => {
    const at = childPath(f.path, i);
    if (typeof entry !== 'string') {
      issues.push({ path: at, message: `an Env entry must be a "NAME=value" string, got ${describeType(entry)}` });
      return;
    }
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      issues.push({ path: at, severity: 'warning', message: `ignored: "${entry}" has no NAME=value form` });
      return;
    }
    out.push({ name: entry.slice(0, eq), value: entry.slice(eq + 1) });
  });
  return out;
}

/** Reads `settings.createOptions` (with chunks) of the module settings at `path`. */
export function readCreateOptions(
  settings: Readonly<Record<string, unknown>>,
  path: string,
  issues: ManifestIssue[],
): CreateOptions {
  const { source, raw } = readRaw(settings, path, issues);
  // Paths inside point into the parsed JSON, after the key that holds it.
  const at = childPath(path, 'createOptions');
  const env = readEnv(raw, at, issues);
  const cmd = readStringList(field(raw, 'Cmd', at), issues);
  const entrypoint = readStringList(field(raw, 'Entrypoint', at), issues);
  const workingDir = readString(field(raw, 'WorkingDir', at), issues);
  const labels = readStringMap(field(raw, 'Labels', at), issues) ?? {};
  const exposedPorts = readExposedPorts(field(raw, 'ExposedPorts', at), issues);
  const host = readHostConfig(field(raw, 'HostConfig', at), issues);
  const k8sExperimental = readK8sExperimental(field(raw, K8S_EXPERIMENTAL_KEY, at), issues);
  return {
    source,
    raw,
    env,
    ...(cmd ? { cmd } : {}),
    ...(entrypoint ? { entrypoint } : {}),
    ...(workingDir ? { workingDir } : {}),
    labels,
    exposedPorts,
    ...host,
    k8sExperimental,
  };
}
