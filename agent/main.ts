// The agent's composition root: client, reconciler, controller, leader election, health and metrics.
// Wiring only; the decisions live in plan/, reconcile/ and apply/.
import type { KubeConfig } from '@kubernetes/client-node';
import { Kube } from './apply/kube.js';
import { startHealthServer, type HealthServer } from './http-server.js';
import type { Logger } from './log.js';
import { AgentMetrics } from './metrics.js';
import { DEFAULT_HUB_IMAGE } from './plan/hub-args.js';
import { DEFAULT_LEASE_NAME, FIELD_MANAGER } from './plan/names.js';
import type { BackoffPolicy } from './reconcile/backoff.js';
import { Controller, DEFAULT_CONTROLLER_TIMING } from './reconcile/controller.js';
import { DEFAULT_LEADER_TIMING, LeaderElector } from './reconcile/leader.js';
import { Reconciler } from './reconcile/reconcile.js';

export { DEFAULT_HUB_IMAGE, DEFAULT_LEASE_NAME };

export interface AgentOptions {
  readonly kubeConfig: KubeConfig;
  readonly log: Logger;
  readonly metrics?: AgentMetrics;
  /** Watch only this namespace; all when undefined. */
  readonly namespace?: string;
  readonly hubImage?: string;
  /** Port of /healthz, /readyz and /metrics; 0 picks one; undefined serves none. */
  readonly metricsPort?: number;
  readonly metricsHost?: string;
  readonly resyncMs?: number;
  readonly workers?: number;
  readonly watchTimeoutSeconds?: number;
  readonly stallGraceMs?: number;
  readonly watchBackoff?: BackoffPolicy;
  readonly reconcileBackoff?: BackoffPolicy;
  readonly applyRetryDelayMs?: number;
  /** Without it the agent acts at once (one replica only). */
  readonly leaderElection?: {
    readonly namespace: string;
    readonly identity: string;
    readonly name?: string;
    readonly leaseDurationSeconds?: number;
    readonly renewDeadlineMs?: number;
    readonly retryPeriodMs?: number;
  };
}

export interface RunningAgent {
  readonly metrics: AgentMetrics;
  readonly healthPort?: number;
  /** True while this replica runs the controller. */
  readonly isActive: () => boolean;
  stop(): Promise<void>;
}

export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  const metrics = o.metrics ?? new AgentMetrics();
  const kube = new Kube(o.kubeConfig, FIELD_MANAGER);
  const reconciler = new Reconciler({
    kube,
    log: o.log,
    metrics,
    defaultHubImage: o.hubImage ?? DEFAULT_HUB_IMAGE,
    ...(o.applyRetryDelayMs !== undefined ? { applyRetryDelayMs: o.applyRetryDelayMs } : {}),
  });
  const t = DEFAULT_CONTROLLER_TIMING;
  let controller: Controller | undefined;
  let stopping: Promise<void> = Promise.resolve();
  const startController = () => {
    controller = new Controller({
      kube,
      reconciler,
      log: o.log,
      metrics,
      ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
      resyncMs: o.resyncMs ?? t.resyncMs,
      workers: o.workers ?? t.workers,
      watchTimeoutSeconds: o.watchTimeoutSeconds ?? t.watchTimeoutSeconds,
      stallGraceMs: o.stallGraceMs ?? t.stallGraceMs,
      watchBackoff: o.watchBackoff ?? t.watchBackoff,
      reconcileBackoff: o.reconcileBackoff ?? t.reconcileBackoff,
    });
    controller.start();
  };
  const stopController = () => {
    const c = controller;
    controller = undefined;
    stopping = stopping.then(() => c?.stop());
  };

  let elector: LeaderElector | undefined;
  if (o.leaderElection) {
    const l = o.leaderElection;
    const d = DEFAULT_LEADER_TIMING;
    elector = new LeaderElector({
      kube,
      namespace: l.namespace,
      name: l.name ?? DEFAULT_LEASE_NAME,
      identity: l.identity,
      leaseDurationSeconds: l.leaseDurationSeconds ?? d.leaseDurationSeconds,
      renewDeadlineMs: l.renewDeadlineMs ?? d.renewDeadlineMs,
      retryPeriodMs: l.retryPeriodMs ?? d.retryPeriodMs,
      log: o.log,
      metrics,
    });
    elector.start(startController, stopController);
  } else {
    startController();
  }

  let health: HealthServer | undefined;
  if (o.metricsPort !== undefined) {
    health = await startHealthServer(
      metrics,
      () => (controller ? controller.hasSynced : true),
      o.metricsPort,
      o.metricsHost,
    );
  }
  return {
    metrics,
    ...(health ? { healthPort: health.port } : {}),
    isActive: () => controller !== undefined,
    async stop() {
      // No new leadership callbacks, then stop reconciling, and only then let a standby take over.
      await elector?.halt();
      stopController();
      await stopping;
      await elector?.stop();
      await health?.close();
    },
  };
}
