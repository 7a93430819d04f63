/** One problem found in a deployment manifest: where (a JSON path such as `$edgeHub.properties.desired.routes.r1`) and what. */
export interface ManifestIssue {
  readonly path: string;
  readonly message: string;
  /** Absent for errors. A warning names something ignored or adjusted; it never makes a manifest invalid. */
  readonly severity?: 'warning';
}

/** The outcome of validating one part of a manifest: a typed value when there are no issues. */
export type Validated<T> =
  { ok: true; value: T; issues: readonly ManifestIssue[] } | { ok: false; issues: readonly ManifestIssue[] };

/** Renders issues one per line, path first, for logs and the command line. */
export function formatIssues(issues: readonly ManifestIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.severity === 'warning' ? 'warning: ' : ''}${i.message}`).join('\n');
}

/** True when at least one issue is an error (not a warning). */
export function hasErrors(issues: readonly ManifestIssue[]): boolean {
  return issues.some((i) => i.severity !== 'warning');
}

/** Appends `.key` (or `["key"]` when the key is not a plain identifier) to a JSON path. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key) && !key.includes('.')) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value} (${JSON.stringify(value)})`;
}
