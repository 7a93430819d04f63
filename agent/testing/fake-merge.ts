// The two patch semantics the fake API server implements: JSON merge patch (RFC 7386) and a simplified
// server-side apply. Real SSA merges lists by key and tracks owners per field in managedFields; this one
// treats lists as atomic and remembers, per field manager, the last configuration it applied, so fields a
// manager stops applying are removed and fields set by others survive, which is what the agent relies on.
type Json = unknown;

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

/** Removes from `target` the fields `previous` set that `next` no longer sets (lists count as one field). */
function removeDropped(target: Json, previous: Json, next: Json): Json {
  if (!isObject(target) || !isObject(previous)) return target;
  const out: Record<string, Json> = { ...target };
  for (const [k, v] of Object.entries(previous)) {
    const n = isObject(next) ? next[k] : undefined;
    if (n === undefined) delete out[k];
    else if (isObject(v) && isObject(n)) out[k] = removeDropped(out[k], v, n);
  }
  return out;
}

/** Applies `applied` over `live`: what the manager applied last time and dropped now goes away. */
export function serverSideApply(live: Json, applied: Json, previouslyApplied: Json): Json {
  return mergePatch(removeDropped(live, previouslyApplied ?? {}, applied), applied);
}
