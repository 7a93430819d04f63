// Leader election with a coordination.k8s.io/v1 Lease, as client-go does it, so two agent replicas never
// reconcile at once. Expiry is judged by when *we* last saw the lease change (not by the holder's clock),
// a leader that cannot renew within renewDeadline steps down before anyone else may take over, and a
// leader that stops releases the lease so a standby takes over at once.
import type { KubeClient, KubeObject } from '../apply/kube.js';
import { RESOURCES } from '../apply/resources.js';
import { AgentError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AgentMetrics } from '../metrics.js';
import { sleep } from './backoff.js';

export interface LeaderElectionOptions {
  readonly kube: KubeClient;
  readonly namespace: string;
  readonly name: string;
  /** This replica's identity (the pod name, usually). */
  readonly identity: string;
  readonly leaseDurationSeconds: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly log: Logger;
  readonly metrics: AgentMetrics;
}

export const DEFAULT_LEADER_TIMING = { leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** RFC 3339 with microseconds, the format of a Lease's MicroTime fields. */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private readonly stopController = new AbortController();
  private observed?: string;
  private observedAt = 0;
  private lastRenew = 0;
  private leading = false;
  private running?: Promise<void>;

  constructor(private readonly o: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** Campaigns until `stop()`: `onStarted` when this replica becomes leader, `onStopped` when it loses the lease. */
  start(onStarted: () => void, onStopped: () => void): void {
    this.running ??= this.loop(onStarted, onStopped);
  }

  /** Ends the campaign: no more callbacks. The lease stays held until `release` (or until it expires). */
  async halt(): Promise<void> {
    this.stopController.abort();
    await this.running;
  }

  /** Halts, then hands the lease back if this replica holds it. */
  async stop(): Promise<void> {
    await this.halt();
    if (this.leading) await this.release().catch(() => undefined);
    this.setLeading(false);
  }

  private setLeading(value: boolean): void {
    this.leading = value;
    this.o.metrics.leader.set(value ? 1 : 0);
  }

  private async loop(onStarted: () => void, onStopped: () => void): Promise<void> {
    const { log, identity } = this.o;
    while (!this.stopController.signal.aborted) {
      let renewed = false;
      try {
        renewed = await this.tryAcquireOrRenew();
      } catch (err) {
        log.warn({ event: 'leader.renew_failed', identity, error: (err as Error).message }, 'lease update failed');
      }
      if (this.stopController.signal.aborted) break;
      if (renewed) {
        this.lastRenew = Date.now();
        if (!this.leading) {
          this.setLeading(true);
          log.info({ event: 'leader.acquired', identity, lease: this.o.name }, 'became leader');
          onStarted();
        }
      } else if (this.leading && Date.now() - this.lastRenew > this.o.renewDeadlineMs) {
        this.setLeading(false);
        log.warn({ event: 'leader.lost', identity, lease: this.o.name }, 'lost the lease');
        onStopped();
      }
      await sleep(this.o.retryPeriodMs, this.stopController.signal);
    }
  }

  private lease(spec: LeaseSpec, base?: KubeObject): KubeObject {
    return {
      apiVersion: RESOURCES.lease.apiVersion,
      kind: RESOURCES.lease.kind,
      metadata: base?.metadata ?? { name: this.o.name, namespace: this.o.namespace },
      spec,
    };
  }

  /** True when this replica holds the lease after the call. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { kube, namespace, name, identity, leaseDurationSeconds } = this.o;
    const now = new Date();
    const current = await kube.get(RESOURCES.lease, namespace, name);
    const fresh: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    if (!current) {
      return this.write(() => kube.create(this.lease(fresh)));
    }
    const spec = (current.spec ?? {}) as LeaseSpec;
    const record = JSON.stringify(spec);
    if (record !== this.observed) {
      this.observed = record;
      this.observedAt = now.getTime();
    }
    const heldByOther = !!spec.holderIdentity && spec.holderIdentity !== identity;
    const duration = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    if (heldByOther && this.observedAt + duration > now.getTime()) return false;
    const mine = spec.holderIdentity === identity;
    const next: LeaseSpec = {
      ...fresh,
      acquireTime: mine && spec.acquireTime ? spec.acquireTime : fresh.acquireTime,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
    };
    // The resourceVersion makes this a compare-and-swap: of two candidates, one gets 409.
    return this.write(() => kube.replace(this.lease(next, current)));
  }

  private async write(fn: () => Promise<KubeObject>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (err) {
      if (err instanceof AgentError && err.status === 409) return false;
      throw err;
    }
  }

  /** Hands the lease back (empty holder, 1 s duration) so a standby need not wait for it to expire. */
  private async release(): Promise<void> {
    const { kube, namespace, name, identity } = this.o;
    const current = await kube.get(RESOURCES.lease, namespace, name);
    const spec = (current?.spec ?? {}) as LeaseSpec;
    if (!current || spec.holderIdentity !== identity) return;
    const now = microTime(new Date());
    await kube.replace(
      this.lease({ ...spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now }, current),
    );
    this.o.log.info({ event: 'leader.released', identity, lease: name }, 'released the lease');
  }
}
