// The two patch semantics the fake API server implements: JSON merge patch (RFC 7386) and a simplified
// server-side apply. Real SSA tracks owners per field in managedFields; this one remembers, per field manager,
// the last configuration it applied, so fields a manager stops applying are removed and fields set by others
// survive. Lists that Kubernetes declares as maps (containers and env by name, ports, volumes, volumeMounts,
// ownerReferences, conditions…) merge by key, as in a real server: an item another manager added stays when
// this one applies its own; other lists are atomic.
type Json = unknown;
type Path = readonly string[];

const isList = (v: Json): v is Json[] => Array.isArray(v);

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386: objects merge recursively, `null` deletes, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** The merge keys of the list at `path` (its last element is the field name), or undefined when atomic. */
export function listMapKeys(path: Path): readonly string[] | undefined {
  const field = path[path.length - 1];
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
    case 'modules':
      return ['name'];
    case 'volumeMounts':
      return ['mountPath'];
    case 'ownerReferences':
      return ['uid'];
    case 'conditions':
      return ['type'];
    case 'ports':
      return path.includes('containers') || path.includes('initContainers')
        ? ['containerPort', 'protocol']
        : ['port', 'protocol'];
    default:
      return undefined;
  }
}

function keyOf(item: Json, keys: readonly string[]): string {
  return JSON.stringify(keys.map((k) => (isObject(item) ? (item[k] ?? (k === 'protocol' ? 'TCP' : null)) : item)));
}

const keyed = (path: Path, ...lists: Json[]) =>
  listMapKeys(path) && lists.every(Array.isArray) ? listMapKeys(path) : undefined;

/** Removes from `target` the fields `previous` set that `next` no longer sets. */
function removeDropped(target: Json, previous: Json, next: Json, path: Path): Json {
  const keys = keyed(path, target, previous);
  if (keys && isList(target) && isList(previous)) {
    const nextItems = new Map((isList(next) ? next : []).map((i) => [keyOf(i, keys), i]));
    const prevItems = new Map(previous.map((i) => [keyOf(i, keys), i]));
    return target.flatMap((item) => {
      const k = keyOf(item, keys);
      if (!prevItems.has(k)) return [item];
      if (!nextItems.has(k)) return [];
      return [removeDropped(item, prevItems.get(k), nextItems.get(k), path)];
    });
  }
  if (!isObject(target) || !isObject(previous)) return target;
  const out: Record<string, Json> = { ...target };
  for (const [k, v] of Object.entries(previous)) {
    const n = isObject(next) ? next[k] : undefined;
    if (n === undefined) delete out[k];
    else if ((isObject(v) && isObject(n)) || (Array.isArray(v) && keyed([...path, k], v, n)))
      out[k] = removeDropped(out[k], v, n, [...path, k]);
  }
  return out;
}

/** Applies `applied` over `live`: objects merge, map-lists merge by key (applied order first), the rest replaces. */
function merge(live: Json, applied: Json, path: Path): Json {
  const keys = keyed(path, live, applied);
  if (keys && isList(live) && isList(applied)) {
    const liveItems = new Map(live.map((i) => [keyOf(i, keys), i]));
    const appliedKeys = new Set(applied.map((i) => keyOf(i, keys)));
    return [
      ...applied.map((i) => merge(liveItems.get(keyOf(i, keys)), i, path)),
      ...live.filter((i) => !appliedKeys.has(keyOf(i, keys))),
    ];
  }
  if (!isObject(applied)) return structuredClone(applied);
  const out: Record<string, Json> = isObject(live) ? { ...live } : {};
  for (const [k, v] of Object.entries(applied)) out[k] = merge(out[k], v, [...path, k]);
  return out;
}

/** Applies `applied` over `live`: what the manager applied last time and dropped now goes away. */
export function serverSideApply(live: Json, applied: Json, previouslyApplied: Json): Json {
  return merge(removeDropped(live, previouslyApplied ?? {}, applied, []), applied, []);
}
