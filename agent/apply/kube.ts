// The agent's whole boundary to a Kubernetes API server: a thin wrapper over @kubernetes/client-node 1.4 that
// speaks plain JSON objects and AgentErrors. Nothing above this file imports the client.
import {
  ApiException,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { AgentError, kubeError } from '../errors.js';
import { collectionPath, type ResourceType } from './resources.js';

export interface KubeMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
}

/** Any Kubernetes object, as plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
  [field: string]: unknown;
}

export interface ObjectList {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchOptions {
  readonly labelSelector?: string;
  readonly resourceVersion?: string;
  readonly timeoutSeconds?: number;
}

export interface WatchHandle {
  /** Ends the watch; its `onDone` may still be called once, with an abort error. */
  stop(): void;
}

/** What the agent needs from the API server; `Kube` implements it against a real (or fake) one. */
export interface KubeClient {
  get(type: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  list(type: ResourceType, namespace: string | undefined, labelSelector?: string): Promise<ObjectList>;
  create(object: KubeObject): Promise<KubeObject>;
  replace(object: KubeObject): Promise<KubeObject>;
  /** Server-side apply with `force`: the field manager takes every field it sets. */
  apply(object: KubeObject): Promise<KubeObject>;
  /** False when the object was already gone. With `uid`, deletes only that incarnation of the name. */
  delete(type: ResourceType, namespace: string | undefined, name: string, uid?: string): Promise<boolean>;
  /** JSON merge patch of a custom resource's status subresource. */
  patchStatus(type: ResourceType, namespace: string, name: string, status: unknown): Promise<void>;
  watch(
    type: ResourceType,
    namespace: string | undefined,
    options: WatchOptions,
    onEvent: (type: WatchEventType, object: KubeObject) => void,
    onDone: (err: AgentError | undefined) => void,
  ): WatchHandle;
}

/** Our JSON as the client's model type: the client only serialises it back to the same JSON. */
function asClientObject(o: KubeObject): KubernetesObject {
  return o as unknown as KubernetesObject;
}

/** The client deserialises into model classes with Dates; the agent works with JSON as the server sent it. */
function toPlain<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function statusMessage(body: unknown): string | undefined {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** Never includes request bodies or headers: they may hold Secret data or tokens. */
function toAgentError(what: string, err: unknown): AgentError {
  if (err instanceof AgentError) return err;
  if (err instanceof ApiException) {
    return kubeError(err.code, `${what}: ${statusMessage(err.body) ?? `HTTP ${err.code}`}`);
  }
  const status = (err as { statusCode?: unknown }).statusCode;
  return kubeError(typeof status === 'number' ? status : 0, `${what}: ${(err as Error).message}`);
}

export class Kube implements KubeClient {
  private readonly objects: KubernetesObjectApi;
  private readonly custom: CustomObjectsApi;
  private readonly watcher: Watch;

  constructor(
    kubeConfig: KubeConfig,
    readonly fieldManager: string,
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.watcher = new Watch(kubeConfig);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toAgentError(what, err);
    }
  }

  private header(type: ResourceType, namespace: string | undefined, name: string) {
    return { apiVersion: type.apiVersion, kind: type.kind, metadata: { name, ...(namespace ? { namespace } : {}) } };
  }

  async get(type: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    try {
      return toPlain<KubeObject>(
        await this.call(`get ${type.kind} ${name}`, () => this.objects.read(this.header(type, namespace, name))),
      );
    } catch (err) {
      if (err instanceof AgentError && err.status === 404) return undefined;
      throw err;
    }
  }

  async list(type: ResourceType, namespace: string | undefined, labelSelector?: string): Promise<ObjectList> {
    const list = await this.call(`list ${type.plural}`, () =>
      this.objects.list(
        type.apiVersion,
        type.kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      ),
    );
    const plain = toPlain<{ items?: KubeObject[]; metadata?: { resourceVersion?: string } }>(list);
    // List items come without apiVersion and kind; put them back so objects are self-describing.
    const items = (plain.items ?? []).map((o) => ({ ...o, apiVersion: type.apiVersion, kind: type.kind }));
    return { items, resourceVersion: plain.metadata?.resourceVersion ?? '' };
  }

  async create(object: KubeObject): Promise<KubeObject> {
    return toPlain(
      await this.call(`create ${object.kind} ${object.metadata.name}`, () =>
        this.objects.create(asClientObject(object)),
      ),
    );
  }

  async replace(object: KubeObject): Promise<KubeObject> {
    return toPlain(
      await this.call(`replace ${object.kind} ${object.metadata.name}`, () =>
        this.objects.replace(asClientObject(object)),
      ),
    );
  }

  async apply(object: KubeObject): Promise<KubeObject> {
    const result = await this.call(`apply ${object.kind} ${object.metadata.name}`, () =>
      this.objects.patch(
        asClientObject(object),
        undefined,
        undefined,
        this.fieldManager,
        true,
        PatchStrategy.ServerSideApply,
      ),
    );
    return toPlain(result);
  }

  async delete(type: ResourceType, namespace: string | undefined, name: string, uid?: string): Promise<boolean> {
    try {
      await this.call(`delete ${type.kind} ${name}`, () =>
        this.objects.delete(
          this.header(type, namespace, name),
          undefined,
          undefined,
          undefined,
          undefined,
          'Background',
          {
            ...(uid ? { preconditions: { uid } } : {}),
          },
        ),
      );
      return true;
    } catch (err) {
      if (err instanceof AgentError && err.status === 404) return false;
      throw err;
    }
  }

  async patchStatus(type: ResourceType, namespace: string, name: string, status: unknown): Promise<void> {
    const [group, version] = type.apiVersion.split('/') as [string, string];
    await this.call(`patch ${type.kind} ${name} status`, () =>
      this.custom.patchNamespacedCustomObjectStatus(
        { group, version, namespace, plural: type.plural, name, body: { status } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
  }

  watch(
    type: ResourceType,
    namespace: string | undefined,
    options: WatchOptions,
    onEvent: (type: WatchEventType, object: KubeObject) => void,
    onDone: (err: AgentError | undefined) => void,
  ): WatchHandle {
    let controller: AbortController | undefined;
    let stopped = false;
    const query = {
      allowWatchBookmarks: true,
      ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
      ...(options.resourceVersion ? { resourceVersion: options.resourceVersion } : {}),
      ...(options.timeoutSeconds ? { timeoutSeconds: options.timeoutSeconds } : {}),
    };
    const what = `watch ${type.plural}`;
    this.watcher
      .watch(
        collectionPath(type, namespace),
        query,
        (phase: string, object: unknown) => onEvent(phase as WatchEventType, toPlain<KubeObject>(object)),
        (err: unknown) => onDone(err ? toAgentError(what, err) : undefined),
      )
      .then(
        (c) => {
          controller = c;
          if (stopped) c.abort();
        },
        (err: unknown) => onDone(toAgentError(what, err)),
      );
    return {
      stop() {
        stopped = true;
        controller?.abort();
      },
    };
  }
}
