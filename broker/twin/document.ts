// Twin property documents: what a patch may hold, how a patch merges into a document (null deletes a key), and
// the patch that turns one document into another (a configuration change sent to a module). Pure JSON in, out.

export type TwinValue = string | number | boolean | null | TwinValue[] | TwinObject;
export interface TwinObject {
  [key: string]: TwinValue;
}

/** IoT Hub's limits on twin documents (reported and desired properties each). */
export const TWIN_LIMITS = {
  /** Bytes of a whole properties document as JSON (IoT Hub: 32 KB each for desired and reported). */
  documentBytes: 32 * 1024,
  /** Nesting of objects below the root (IoT Hub: 10). */
  depth: 10,
  /** Bytes of a key (IoT Hub: 1 KB). */
  keyBytes: 1024,
  /** Bytes of a string value (IoT Hub: 4 KB). */
  stringBytes: 4 * 1024,
} as const;

export function isTwinObject(v: unknown): v is TwinObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// IoT Hub twin keys exclude control characters (C0 and C1), '.', '$' and space.
// eslint-disable-next-line no-control-regex
const BAD_KEY = /[\u0000-\u001f\u007f-\u009f.$ ]/;

/**
 * Why `value` is not a valid twin patch (a JSON object whose keys and values IoT Hub accepts), naming the
 * path of the first problem; undefined when it is valid.
 */
export function patchProblem(value: unknown): string | undefined {
  if (!isTwinObject(value)) return `a patch must be a JSON object, got ${describe(value)}`;
  return objectProblem(value, '', 1);
}

function objectProblem(obj: TwinObject, path: string, depth: number): string | undefined {
  if (depth > TWIN_LIMITS.depth) return `${path}: nested deeper than ${TWIN_LIMITS.depth} levels`;
  for (const key of Object.keys(obj)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (key.length === 0) return `${path || 'the patch'}: empty key`;
    if (BAD_KEY.test(key))
      return `key "${at.slice(0, 100)}": keys may not contain '.', '$', spaces or control characters`;
    if (Buffer.byteLength(key) > TWIN_LIMITS.keyBytes)
      return `key "${at.slice(0, 100)}…" is over ${TWIN_LIMITS.keyBytes} bytes`;
    const problem = valueProblem(obj[key]!, at, depth);
    if (problem) return problem;
  }
  return undefined;
}

function valueProblem(v: TwinValue, at: string, depth: number): string | undefined {
  if (typeof v === 'string') {
    return Buffer.byteLength(v) > TWIN_LIMITS.stringBytes
      ? `${at}: string over ${TWIN_LIMITS.stringBytes} bytes`
      : undefined;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = valueProblem(v[i]!, `${at}[${i}]`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (isTwinObject(v)) return objectProblem(v, at, depth + 1);
  return undefined;
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** A copy of `doc` with `patch` merged in: objects merge key by key, null deletes, anything else replaces. */
export function mergePatch(doc: TwinObject, patch: TwinObject): TwinObject {
  const out: TwinObject = { ...doc };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isTwinObject(value)) {
      const current = out[key];
      out[key] = mergePatch(isTwinObject(current) ? current : {}, value);
    } else out[key] = value;
  }
  return out;
}

/** The patch that `mergePatch(from, patch)` turns into `to` (keys gone from `to` become null); empty if equal. */
export function diffPatch(from: TwinObject, to: TwinObject): TwinObject {
  const patch: TwinObject = {};
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    const old = from[key];
    if (isTwinObject(value) && isTwinObject(old)) {
      const sub = diffPatch(old, value);
      if (Object.keys(sub).length > 0) patch[key] = sub;
    } else if (!sameJson(old, value)) {
      patch[key] = value;
    }
  }
  return patch;
}

/** JSON equality, key order ignored. */
export function sameJson(a: TwinValue | undefined, b: TwinValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (isTwinObject(a) && isTwinObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && sameJson(a[k], b[k]));
  }
  return false;
}

/** A module's desired properties as the manifest gives them, without the `$`-keys the hub owns (`$version`…). */
export function desiredFromManifest(desired: Readonly<Record<string, unknown>> | undefined): TwinObject {
  const out: TwinObject = {};
  for (const [k, v] of Object.entries(desired ?? {})) if (!k.startsWith('$')) out[k] = v as TwinValue;
  return out;
}
