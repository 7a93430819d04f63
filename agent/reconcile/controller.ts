// The controller: reflectors on EdgeDeployments and on everything they own (pods included) feed one work
// queue keyed namespace/name; workers reconcile keys; a periodic resync enqueues every EdgeDeployment so
// drift (a Deployment edited or deleted by hand) is repaired even if an event was missed.
import type { KubeClient, KubeObject } from '../apply/kube.js';
import { OWNED_RESOURCES, RESOURCES, type ResourceType } from '../apply/resources.js';
import { KIND } from '../crd/types.js';
import { errorCode, isRetryable } from '../errors.js';
import type { Logger } from '../log.js';
import type { AgentMetrics } from '../metrics.js';
import { FIELD_MANAGER, LABELS, labelValue } from '../plan/names.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { WorkQueue } from './queue.js';
import type { Reconciler } from './reconcile.js';
import { Reflector } from './reflector.js';

export interface ControllerOptions {
  readonly kube: KubeClient;
  readonly reconciler: Reconciler;
  readonly log: Logger;
  readonly metrics: AgentMetrics;
  /** Watch one namespace; all namespaces when undefined. */
  readonly namespace?: string;
  readonly resyncMs: number;
  readonly workers: number;
  readonly watchTimeoutSeconds: number;
  readonly stallGraceMs: number;
  readonly watchBackoff: BackoffPolicy;
  readonly reconcileBackoff: BackoffPolicy;
}

export const DEFAULT_CONTROLLER_TIMING = {
  resyncMs: 60_000,
  workers: 2,
  // The preview settled on 180 s after long watches died silently (#2978).
  watchTimeoutSeconds: 180,
  stallGraceMs: 30_000,
  watchBackoff: DEFAULT_BACKOFF,
  reconcileBackoff: { initialMs: 1_000, maxMs: 300_000 },
};

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

export class Controller {
  private readonly queue: WorkQueue;
  private readonly reflectors: Reflector[] = [];
  /** Every EdgeDeployment seen, for resync and to map pods (labelled, not owned) back to their owner. */
  private readonly known = new Set<string>();
  private resyncTimer?: NodeJS.Timeout;
  private workers: Promise<void>[] = [];

  constructor(private readonly o: ControllerOptions) {
    this.queue = new WorkQueue(o.reconcileBackoff);
  }

  /** True once every reflector has listed at least once. */
  get hasSynced(): boolean {
    return this.reflectors.length > 0 && this.reflectors.every((r) => r.hasSynced);
  }

  start(): void {
    const owned = `${LABELS.managedBy}=${FIELD_MANAGER}`;
    this.reflectors.push(this.reflector(RESOURCES.edgeDeployment, undefined, (o) => this.onEdgeDeployment(o), true));
    for (const type of [...OWNED_RESOURCES, RESOURCES.pod]) {
      this.reflectors.push(this.reflector(type, owned, (o) => this.onOwned(o), false));
    }
    for (const r of this.reflectors) r.start();
    this.resyncTimer = setInterval(() => this.resync(), this.o.resyncMs);
    this.workers = Array.from({ length: this.o.workers }, () => this.work());
    this.o.log.info({ event: 'controller.started', namespace: this.o.namespace ?? '(all)' }, 'controller started');
  }

  async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    this.queue.shutdown();
    await Promise.all(this.reflectors.map((r) => r.stop()));
    await Promise.all(this.workers);
    this.o.log.info({ event: 'controller.stopped' }, 'controller stopped');
  }

  private reflector(
    type: ResourceType,
    labelSelector: string | undefined,
    map: (o: KubeObject) => void,
    isPrimary: boolean,
  ) {
    return new Reflector({
      kube: this.o.kube,
      type,
      ...(this.o.namespace !== undefined ? { namespace: this.o.namespace } : {}),
      ...(labelSelector ? { labelSelector } : {}),
      timeoutSeconds: this.o.watchTimeoutSeconds,
      stallGraceMs: this.o.stallGraceMs,
      backoff: this.o.watchBackoff,
      log: this.o.log,
      metrics: this.o.metrics,
      onList: (items) => {
        if (isPrimary) {
          this.known.clear();
          for (const o of items) this.known.add(keyOf(o.metadata.namespace, o.metadata.name));
        }
        // After a (re)list, events in the gap are lost: look at everything again.
        this.resync();
      },
      onEvent: (type, o) => {
        if (isPrimary && type === 'DELETED') this.known.delete(keyOf(o.metadata.namespace, o.metadata.name));
        map(o);
      },
    });
  }

  private onEdgeDeployment(o: KubeObject): void {
    const key = keyOf(o.metadata.namespace, o.metadata.name);
    this.known.add(key);
    this.enqueue(key);
  }

  /** An owned object changed: reconcile its EdgeDeployment (by owner reference, or for pods by label). */
  private onOwned(o: KubeObject): void {
    const ns = o.metadata.namespace;
    const owner = o.metadata.ownerReferences?.find((r) => r.kind === KIND && r.controller);
    if (owner) return this.enqueue(keyOf(ns, owner.name));
    const label = o.metadata.labels?.[LABELS.edgeDeployment];
    for (const key of this.known) {
      const [keyNs, name] = key.split('/') as [string, string];
      if (keyNs === (ns ?? '') && labelValue(name) === label) this.enqueue(key);
    }
  }

  private enqueue(key: string): void {
    this.queue.add(key);
    this.o.metrics.queueDepth.set(this.queue.length);
  }

  private resync(): void {
    for (const key of this.known) this.enqueue(key);
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      this.o.metrics.queueDepth.set(this.queue.length);
      await this.process(key);
      this.queue.done(key);
    }
  }

  private async process(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const { metrics, log } = this.o;
    const stopTimer = metrics.reconcileDuration.startTimer();
    try {
      const outcome = await this.o.reconciler.reconcile(namespace, name);
      stopTimer({ result: outcome.result });
      metrics.reconciles.inc({ result: outcome.result });
      this.queue.forget(key);
    } catch (err) {
      stopTimer({ result: 'error' });
      const retryable = isRetryable(err);
      metrics.reconciles.inc({ result: 'error' });
      metrics.reconcileErrors.inc({ code: errorCode(err), retryable: String(retryable) });
      const fields = {
        event: 'reconcile.failed',
        namespace,
        name,
        code: errorCode(err),
        retryable,
        error: (err as Error).message,
      };
      if (retryable) {
        const delayMs = this.queue.addRateLimited(key);
        log.warn({ ...fields, delayMs }, 'reconcile failed; will retry');
      } else {
        // Terminal: retrying the same input cannot help; the next change or resync tries again.
        this.queue.forget(key);
        log.error(fields, 'reconcile failed');
      }
    }
  }
}
