// The fake API server's object store: objects by resource, namespace and name; one increasing
// resourceVersion; an event history for watches (compactable, to provoke 410 Gone); generation bumps;
// status subresources; and, when enabled, a simulated garbage collector for ownerReferences.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { crdSchema, validateCustomResource, type Schema } from './fake-crd-schema.js';
import { defaultOnCreate, immutableViolation } from './fake-immutable.js';
import { mergePatch, serverSideApply } from './fake-merge.js';
import { apiVersionOf, resourceOfKind, type FakeResource } from './fake-resources.js';
import { parseLabelSelector } from './label-selector.js';

export type KubeJson = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown> & { name?: string; namespace?: string; labels?: Record<string, string> };
};

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  readonly rv: number;
  readonly type: WatchEventType;
  readonly resource: FakeResource;
  readonly object: KubeJson;
}

/** An error the HTTP layer turns into a Status response. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface WriteOptions {
  /** Write through `/status`: only `status` changes. */
  readonly status?: boolean;
}

const clone = <T>(v: T): T => structuredClone(v);

/** Custom resources the fake validates against their installed CRD's schema. */
const SCHEMAS: Record<string, Schema> = {
  EdgeDeployment: crdSchema(new URL('../../deploy/crd/edgedeployment.yaml', import.meta.url)),
};

/** Prunes and validates a custom resource as the API server would; throws the 422 it would answer. */
function validate(kind: string, o: KubeJson): void {
  const schema = SCHEMAS[kind];
  if (!schema) return;
  const errors = validateCustomResource(schema, o);
  if (errors.length > 0) {
    const group = String(o.apiVersion).split('/')[0];
    throw new ApiError(
      422,
      'Invalid',
      `${kind}.${group} "${String(o.metadata?.name)}" is invalid: ${errors.length > 1 ? `[${errors.join(', ')}]` : errors[0]}`,
    );
  }
}

function meta(o: KubeJson): NonNullable<KubeJson['metadata']> {
  return (o.metadata ??= {});
}

export class FakeStore {
  private readonly objects = new Map<string, KubeJson>();
  private readonly applied = new Map<string, unknown>();
  private history: StoredEvent[] = [];
  private compactedThrough = 0;
  private rv = 100;
  private readonly listeners = new Set<(e: StoredEvent) => void>();
  /** uids of deleted objects: a dependent written later that points only at them is collected too. */
  private readonly deletedUids = new Set<string>();
  /** Delete dependents when their controller owner goes (the real cluster's garbage collector). */
  gc = true;

  private key(r: FakeResource, ns: string | undefined, name: string): string {
    return `${r.group}/${r.plural}/${r.namespaced ? (ns ?? '') : ''}/${name}`;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  onEvent(listener: (e: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `rv` for a resource; throws 410 when they were compacted away. */
  eventsSince(r: FakeResource, rv: number): StoredEvent[] {
    if (rv < this.compactedThrough)
      throw new ApiError(410, 'Expired', `too old resource version: ${rv} (${this.compactedThrough})`);
    return this.history.filter((e) => e.rv > rv && e.resource === r);
  }

  /** Forgets the event history, as etcd compaction does: watches from an older resourceVersion get 410. */
  compact(): void {
    this.compactedThrough = this.rv;
    this.history = [];
  }

  get(r: FakeResource, ns: string | undefined, name: string): KubeJson | undefined {
    const o = this.objects.get(this.key(r, ns, name));
    return o ? clone(o) : undefined;
  }

  list(r: FakeResource, ns: string | undefined, labelSelector?: string | null): KubeJson[] {
    const matches = parseLabelSelector(labelSelector);
    return [...this.objects.values()]
      .filter((o) => apiVersionOf(r) === o.apiVersion && o.kind === r.kind)
      .filter((o) => !r.namespaced || ns === undefined || o.metadata?.namespace === ns)
      .filter((o) => matches(o.metadata?.labels ?? {}))
      .sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)))
      .map(clone);
  }

  private record(type: WatchEventType, r: FakeResource, object: KubeJson): void {
    const e: StoredEvent = { rv: this.rv, type, resource: r, object: clone(object) };
    this.history.push(e);
    for (const l of this.listeners) l(e);
    if (type !== 'DELETED') this.collectIfOrphaned(r, object);
  }

  /** The real collector deletes a dependent whose owners are all gone, whenever it was written. */
  private collectIfOrphaned(r: FakeResource, o: KubeJson): void {
    const owners = (meta(o).ownerReferences ?? []) as { uid?: string }[];
    if (!this.gc || owners.length === 0 || !owners.every((ref) => ref.uid && this.deletedUids.has(ref.uid))) return;
    const ns = meta(o).namespace;
    const name = String(meta(o).name);
    setImmediate(() => {
      if (this.objects.has(this.key(r, ns, name))) this.delete(r, ns, name);
    });
  }

  private checkNamespace(r: FakeResource, ns: string | undefined): void {
    if (!r.namespaced) return;
    if (!ns || !this.objects.has(this.key(resourceOfKind('v1', 'Namespace')!, undefined, ns))) {
      throw new ApiError(404, 'NotFound', `namespaces "${ns}" not found`);
    }
  }

  create(r: FakeResource, ns: string | undefined, body: KubeJson): KubeJson {
    const name = body.metadata?.name;
    if (!name) throw new ApiError(422, 'Invalid', 'metadata.name: Required value');
    this.checkNamespace(r, ns);
    const k = this.key(r, ns, name);
    if (this.objects.has(k)) throw new ApiError(409, 'AlreadyExists', `${r.plural} "${name}" already exists`);
    const o = clone(body);
    o.apiVersion = apiVersionOf(r);
    o.kind = r.kind;
    const m = meta(o);
    if (r.namespaced) m.namespace = ns;
    m.uid = randomUUID();
    m.creationTimestamp = new Date().toISOString();
    m.generation = 1;
    m.resourceVersion = String(++this.rv);
    if (r.statusSubresource && r.kind !== 'Pod') delete o.status;
    validate(r.kind, o);
    defaultOnCreate(r.kind, o, this.rv);
    this.objects.set(k, o);
    this.record('ADDED', r, o);
    return clone(o);
  }

  /** Stores `next` as the new state of an existing object, bumping versions only when something changed. */
  private update(r: FakeResource, existing: KubeJson, next: KubeJson, opts: WriteOptions): KubeJson {
    const o = clone(existing);
    if (opts.status) o.status = clone(next.status);
    else {
      for (const [k, v] of Object.entries(next)) if (k !== 'status' || !r.statusSubresource) o[k] = clone(v);
      for (const k of Object.keys(o))
        if (!(k in next) && k !== 'metadata' && (k !== 'status' || !r.statusSubresource)) delete o[k];
      const m = meta(o);
      const old = meta(existing);
      for (const k of ['uid', 'creationTimestamp', 'namespace', 'name', 'generation', 'deletionTimestamp']) {
        if (old[k] === undefined) delete m[k];
        else m[k] = old[k];
      }
    }
    o.apiVersion = existing.apiVersion;
    o.kind = existing.kind;
    validate(r.kind, o);
    const violation = opts.status ? undefined : immutableViolation(r.kind, existing, o);
    if (violation) throw new ApiError(422, 'Invalid', violation);
    const comparable = (x: KubeJson) => ({ ...x, metadata: { ...x.metadata, resourceVersion: undefined } });
    if (isDeepStrictEqual(comparable(o), comparable(existing))) return clone(existing);
    const specOf = (x: KubeJson) =>
      Object.entries(x).filter(([k]) => !['metadata', 'status', 'apiVersion', 'kind'].includes(k));
    if (!isDeepStrictEqual(specOf(o), specOf(existing)))
      meta(o).generation = Number(meta(existing).generation ?? 1) + 1;
    meta(o).resourceVersion = String(++this.rv);
    this.objects.set(this.key(r, meta(o).namespace, String(meta(o).name)), o);
    this.record('MODIFIED', r, o);
    return clone(o);
  }

  private existing(r: FakeResource, ns: string | undefined, name: string): KubeJson {
    const o = this.objects.get(this.key(r, ns, name));
    if (!o) throw new ApiError(404, 'NotFound', `${r.plural} "${name}" not found`);
    return o;
  }

  replace(r: FakeResource, ns: string | undefined, name: string, body: KubeJson, opts: WriteOptions = {}): KubeJson {
    const existing = this.existing(r, ns, name);
    const rv = body.metadata?.resourceVersion;
    if (rv !== undefined && rv !== existing.metadata?.resourceVersion) {
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${r.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    return this.update(r, existing, body, opts);
  }

  mergePatch(r: FakeResource, ns: string | undefined, name: string, patch: unknown, opts: WriteOptions = {}): KubeJson {
    const existing = this.existing(r, ns, name);
    return this.update(r, existing, mergePatch(existing, patch) as KubeJson, opts);
  }

  /** Simplified server-side apply (see fake-merge.ts); creates the object when it does not exist. */
  apply(
    r: FakeResource,
    ns: string | undefined,
    name: string,
    body: KubeJson,
    manager: string,
    opts: WriteOptions = {},
  ): KubeJson {
    const k = `${this.key(r, ns, name)}#${manager}#${opts.status ? 'status' : 'main'}`;
    const current = this.objects.get(this.key(r, ns, name));
    const result = current
      ? this.update(r, current, serverSideApply(current, body, this.applied.get(k)) as KubeJson, opts)
      : this.create(r, ns, body);
    this.applied.set(k, clone(body));
    return result;
  }

  delete(r: FakeResource, ns: string | undefined, name: string): KubeJson {
    const k = this.key(r, ns, name);
    const o = this.existing(r, ns, name);
    this.objects.delete(k);
    for (const a of [...this.applied.keys()]) if (a.startsWith(`${k}#`)) this.applied.delete(a);
    this.rv++;
    meta(o).resourceVersion = String(this.rv);
    this.deletedUids.add(String(meta(o).uid));
    this.record('DELETED', r, o);
    if (this.gc) this.collectDependents(String(meta(o).uid));
    return clone(o);
  }

  /** Background garbage collection: dependents whose owner is gone are deleted, recursively. */
  private collectDependents(uid: string): void {
    for (const [k, o] of [...this.objects]) {
      const owners = (meta(o).ownerReferences ?? []) as { uid?: string }[];
      if (!owners.some((ref) => ref.uid === uid) || !this.objects.has(k)) continue;
      const r = resourceOfKind(String(o.apiVersion), String(o.kind));
      if (r) this.delete(r, meta(o).namespace, String(meta(o).name));
    }
  }
}
