// Small readers for Docker-style JSON. Docker decodes struct fields case-insensitively (Go's encoding/json),
// so `HostConfig` and `hostConfig` mean the same; these readers do the same and report with the key as written.
import { childPath, describeType, isPlainObject, type ManifestIssue } from './issues.js';

export interface Field {
  readonly key: string;
  readonly value: unknown;
  readonly path: string;
}

/** The field `name` of `obj` (exact key first, then any case), or undefined when absent or null. */
export function field(obj: Readonly<Record<string, unknown>>, name: string, path: string): Field | undefined {
  let key: string | undefined = name in obj ? name : undefined;
  if (key === undefined) {
    const lower = name.toLowerCase();
    key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  }
  if (key === undefined || obj[key] === null || obj[key] === undefined) return undefined;
  return { key, value: obj[key], path: childPath(path, key) };
}

export function readString(f: Field | undefined, issues: ManifestIssue[]): string | undefined {
  if (f === undefined) return undefined;
  if (typeof f.value === 'string') return f.value;
  issues.push({ path: f.path, message: `${f.key} must be a string, got ${describeType(f.value)}` });
  return undefined;
}

/**
 * A boolean; `"true"` and `"false"` (any case, as .NET's Convert.ToBoolean reads them) are accepted too, as
 * edgeAgent accepts them: it reads createOptions with Newtonsoft.Json, which converts such strings, and Azure
 * portal and VS Code templates often write `"Privileged": "true"`.
 */
export function readBoolean(f: Field | undefined, issues: ManifestIssue[]): boolean | undefined {
  if (f === undefined) return undefined;
  if (typeof f.value === 'boolean') return f.value;
  if (typeof f.value === 'string' && /^\s*(true|false)\s*$/i.test(f.value))
    return f.value.trim().toLowerCase() === 'true';
  issues.push({ path: f.path, message: `${f.key} must be true or false, got ${describeType(f.value)}` });
  return undefined;
}

export function readObject(f: Field | undefined, issues: ManifestIssue[]): Record<string, unknown> | undefined {
  if (f === undefined) return undefined;
  if (isPlainObject(f.value)) return f.value;
  issues.push({ path: f.path, message: `${f.key} must be an object, got ${describeType(f.value)}` });
  return undefined;
}

/** Docker's string-or-list (`Cmd`, `Entrypoint`): a string is one element, as Docker's strslice reads it. */
export function readStringList(f: Field | undefined, issues: ManifestIssue[]): string[] | undefined {
  if (f === undefined) return undefined;
  if (typeof f.value === 'string') return [f.value];
  if (Array.isArray(f.value) && f.value.every((v) => typeof v === 'string')) return f.value;
  issues.push({
    path: f.path,
    message: `${f.key} must be a string or a list of strings, got ${describeType(f.value)}`,
  });
  return undefined;
}

/** A map of string to string (`Labels`, `nodeSelector`); numbers and booleans are refused, as Kubernetes would. */
export function readStringMap(f: Field | undefined, issues: ManifestIssue[]): Record<string, string> | undefined {
  const obj = readObject(f, issues);
  if (obj === undefined || f === undefined) return undefined;
  const out: Record<string, string> = {};
  let ok = true;
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'string') out[k] = v;
    else {
      issues.push({
        path: childPath(f.path, k),
        message: `values of ${f.key} must be strings, got ${describeType(v)}`,
      });
      ok = false;
    }
  }
  return ok ? out : undefined;
}
