// One reconcile of one EdgeDeployment, level-triggered: read it → provision the device key and CA → plan →
// server-side apply → prune → write status. It reads the world each time, never the event that woke it.
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { ManifestIssue } from '../../manifest/index.js';
import { applyObjects } from '../apply/apply.js';
import type { KubeClient, KubeObject } from '../apply/kube.js';
import { pruneObjects } from '../apply/prune.js';
import { OWNED_RESOURCES, RESOURCES, resourceOf } from '../apply/resources.js';
import { readEdgeDeployment } from '../crd/edge-deployment.js';
import type { EdgeDeploymentStatus } from '../crd/types.js';
import { AgentError, ERROR_CODES, errorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { AgentMetrics } from '../metrics.js';
import { hubCertificateNames } from '../plan/hub.js';
import { FIELD_MANAGER, HUB, LABELS, labelValue } from '../plan/names.js';
import { checkAgainstLive, liveKey, type LiveObject } from '../plan/live.js';
import { plan } from '../plan/plan.js';
import { ensureDeviceCa } from '../pki/device-ca.js';
import { ensureDeviceKey } from '../pki/device-key.js';
import { hubCertificate } from '../pki/hub-certificate.js';
import { eventFor, recordEvent } from './events.js';
import type { DeploymentConditions } from './pod-status.js';
import { buildStatus, isSameStatus, type ReconcileFacts } from './status.js';

export interface ReconcilerOptions {
  readonly kube: KubeClient;
  readonly log: Logger;
  readonly metrics: AgentMetrics;
  readonly defaultHubImage: string;
  readonly now?: () => Date;
  /** First retry delay of one object's apply (doubles); tests shorten it. */
  readonly applyRetryDelayMs?: number;
}

export type ReconcileResult = 'applied' | 'invalid' | 'duplicate' | 'gone';

export interface ReconcileOutcome {
  readonly result: ReconcileResult;
  readonly ready?: boolean;
}

/** The selector of everything one EdgeDeployment owns (pods included: they inherit template labels). */
export function ownedSelector(name: string): string {
  return `${LABELS.managedBy}=${FIELD_MANAGER},${LABELS.edgeDeployment}=${labelValue(name)}`;
}

/** One device per namespace: the oldest EdgeDeployment (then the first by name) is the one that runs. */
function owningName(items: readonly KubeObject[]): string | undefined {
  const live = items.filter((o) => !o.metadata.deletionTimestamp);
  live.sort(
    (a, b) =>
      String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) ||
      a.metadata.name.localeCompare(b.metadata.name),
  );
  return live[0]?.metadata.name;
}

export class Reconciler {
  constructor(private readonly o: ReconcilerOptions) {}

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  async reconcile(namespace: string, name: string): Promise<ReconcileOutcome> {
    const { kube, log } = this.o;
    const ed = await kube.get(RESOURCES.edgeDeployment, namespace, name);
    if (!ed || ed.metadata.deletionTimestamp) return { result: 'gone' };
    const generation = ed.metadata.generation ?? 0;
    const previous = ed.status as EdgeDeploymentStatus | undefined;
    const ctx = { namespace, name };

    const owner = owningName((await kube.list(RESOURCES.edgeDeployment, namespace)).items);
    if (owner !== name) {
      const message = `EdgeDeployment ${owner ?? '?'} already runs the device of namespace ${namespace}; one per namespace`;
      log.warn(
        { event: 'reconcile.duplicate', code: ERROR_CODES.duplicateDevice, ...ctx, owner },
        'another EdgeDeployment owns this namespace',
      );
      await this.writeStatus(
        ed,
        { kind: 'failed', reason: 'DuplicateEdgeDeployment', message, issues: [] },
        generation,
        previous,
      );
      return { result: 'duplicate' };
    }

    const read = readEdgeDeployment(ed);
    if (!read.ok) return this.invalid(ed, read.issues, generation, previous);
    const device = read.value;
    try {
      const key = await ensureDeviceKey(kube, device);
      if (key.created) log.info({ event: 'pki.device_key.created', ...ctx }, 'created the device key Secret');
      const ca = await ensureDeviceCa(kube, device, this.now());
      if (ca.created) log.info({ event: 'pki.ca.created', ...ctx }, 'created the device CA Secret');
      const tls = await kube.get(RESOURCES.secret, namespace, HUB.tlsSecret);
      const decode = (field: string) => {
        const v = (tls?.data as Record<string, string> | undefined)?.[field];
        return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
      };
      const current = { cert: decode('tls.crt'), key: decode('tls.key') };
      const hub = hubCertificate(current, ca.ca, hubCertificateNames(device), this.now());
      if (hub.issued) log.info({ event: 'pki.hub_certificate.issued', ...ctx }, 'issued a hub certificate');

      const planned = plan(ed, {
        deviceKey: key.key,
        caCertificate: ca.ca.cert,
        hubTls: hub.pair,
        defaultHubImage: this.o.defaultHubImage,
      });
      if (!planned.ok) return await this.invalid(ed, planned.issues, generation, previous);
      const objects = planned.objects as unknown as KubeObject[];
      const live = await this.readLive(namespace);
      const decision = checkAgainstLive(device, planned.objects, live);
      const deployments = new Map(
        [...live.values()]
          .filter((o) => o.kind === 'Deployment')
          .map((o) => [o.metadata.name, ((o as KubeObject).status ?? {}) as DeploymentConditions]),
      );
      for (const r of decision.refused) {
        log.warn(
          { event: 'object.refused', ...ctx, kind: r.object.kind, object: r.object.metadata?.name, reason: r.reason },
          r.issue.message,
        );
      }
      for (const r of decision.recreate) {
        const type = resourceOf(r.object.apiVersion, r.object.kind)!;
        await kube.delete(type, namespace, r.object.metadata?.name ?? '', r.uid);
        log.info(
          { event: 'object.recreated', ...ctx, kind: r.object.kind, object: r.object.metadata?.name, field: r.why },
          `deleted ${r.object.kind} ${r.object.metadata?.name} to create it again: its ${r.why} cannot change`,
        );
      }
      await applyObjects(kube, decision.apply as unknown as KubeObject[], {
        retryDelayMs: this.o.applyRetryDelayMs ?? 100,
        onApplied: (o) => this.o.metrics.objectsApplied.inc({ kind: o.kind }),
      });
      const retained: ManifestIssue[] = [];
      const pruned = await pruneObjects(kube, namespace, ownedSelector(name), objects, {
        retainClaims: device.dataRetention === 'Retain',
        onRetained: (o) =>
          retained.push({
            path: 'spec.dataRetention',
            severity: 'warning',
            message: `PersistentVolumeClaim ${o.name} is kept with its data (dataRetention: Retain) though no module mounts it; delete it by hand when it is no longer needed`,
          }),
      });
      for (const p of pruned) {
        this.o.metrics.objectsPruned.inc({ kind: p.kind });
        log.info(
          { event: 'object.pruned', ...ctx, kind: p.kind, object: p.name },
          'deleted an object no longer planned',
        );
      }
      const pods = (await kube.list(RESOURCES.pod, namespace, ownedSelector(name))).items as unknown as IPod[];
      const status = await this.writeStatus(
        ed,
        {
          kind: 'applied',
          device,
          pods,
          deployments,
          issues: [...planned.issues, ...retained],
          refused: decision.refused,
        },
        generation,
        previous,
      );
      const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      log.debug(
        { event: 'reconcile.applied', ...ctx, objects: objects.length, pruned: pruned.length, ready },
        'reconciled',
      );
      return { result: 'applied', ready };
    } catch (err) {
      // Best effort: say why in status, then let the controller decide whether to retry.
      const message = err instanceof Error ? err.message : String(err);
      const facts: ReconcileFacts = { kind: 'failed', reason: reasonOf(err), message, issues: [] };
      await this.writeStatus(ed, facts, generation, previous).catch(() => undefined);
      throw err;
    }
  }

  /** Every object of the owned kinds in the namespace, ours or not: what the planned names would meet. */
  private async readLive(namespace: string): Promise<Map<string, LiveObject>> {
    const live = new Map<string, LiveObject>();
    for (const type of OWNED_RESOURCES) {
      for (const o of (await this.o.kube.list(type, namespace)).items) live.set(liveKey(type.kind, o.metadata.name), o);
    }
    return live;
  }

  private async invalid(
    ed: KubeObject,
    issues: readonly ManifestIssue[],
    generation: number,
    previous: EdgeDeploymentStatus | undefined,
  ): Promise<ReconcileOutcome> {
    const ctx = { namespace: ed.metadata.namespace, name: ed.metadata.name };
    const first = issues.find((i) => i.severity !== 'warning');
    this.o.log.warn(
      {
        event: 'reconcile.invalid',
        code: ERROR_CODES.invalidManifest,
        ...ctx,
        errors: issues.filter((i) => i.severity !== 'warning').length,
        path: first?.path,
      },
      `invalid EdgeDeployment: ${first?.message ?? ''}`,
    );
    // Nothing is applied or pruned: what runs keeps running until the manifest is fixed.
    await this.writeStatus(ed, { kind: 'invalid', reason: 'InvalidManifest', issues }, generation, previous);
    return { result: 'invalid' };
  }

  /** Writes status when it changed, and records an Event when the change calls for one (best effort). */
  private async writeStatus(
    ed: KubeObject,
    facts: ReconcileFacts,
    generation: number,
    previous: EdgeDeploymentStatus | undefined,
  ): Promise<EdgeDeploymentStatus> {
    const ctx = { namespace: ed.metadata.namespace ?? '', name: ed.metadata.name };
    const status = buildStatus(facts, generation, previous, this.now());
    if (!isSameStatus(previous, status)) {
      await this.o.kube.patchStatus(RESOURCES.edgeDeployment, ctx.namespace, ctx.name, status);
      this.o.log.debug({ event: 'status.written', ...ctx }, 'status written');
      const event = eventFor(previous, status, facts.kind === 'applied');
      if (event) {
        await recordEvent(this.o.kube, ed, event, this.now()).catch((err: unknown) =>
          this.o.log.warn(
            { event: 'event.failed', ...ctx, reason: event.reason, error: (err as Error).message },
            'could not record a Kubernetes Event',
          ),
        );
      }
    }
    return status;
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof AgentError && err.code === ERROR_CODES.invalidPki) return 'InvalidPki';
  return errorCode(err) === ERROR_CODES.invalidObject ? 'ObjectRejected' : 'ApplyFailed';
}
