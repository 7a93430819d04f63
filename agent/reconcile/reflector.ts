// List, then watch from the list's resourceVersion, for ever. The preview's worst bug was a watch that died
// silently and left new deployments unapplied for days; here every way a watch can end leads back to a
// watch: a server-side timeout re-watches at once, an error or 410 Gone re-lists after backoff, and a watch
// that goes quiet for longer than the server's own timeout (a half-open connection) is cut and re-listed.
import type { KubeClient, KubeObject, WatchEventType, WatchHandle } from '../apply/kube.js';
import type { ResourceType } from '../apply/resources.js';
import { ERROR_CODES, type AgentError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AgentMetrics } from '../metrics.js';
import { backoffDelay, sleep, type BackoffPolicy } from './backoff.js';

export interface ReflectorOptions {
  readonly kube: KubeClient;
  readonly type: ResourceType;
  readonly namespace?: string;
  readonly labelSelector?: string;
  /** Asked of the server; it ends the watch after this long, and we start another. */
  readonly timeoutSeconds: number;
  /** How long past `timeoutSeconds` a silent watch may stay open before it is presumed dead. */
  readonly stallGraceMs: number;
  readonly backoff: BackoffPolicy;
  readonly log: Logger;
  readonly metrics: AgentMetrics;
  /** After each (re)list, with every object. */
  readonly onList: (items: KubeObject[]) => void;
  readonly onEvent: (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject) => void;
}

type WatchEnd = { reason: 'closed' } | { reason: 'expired' | 'error' | 'stalled'; detail: string };

/** A watch shorter than this that ends "normally" counts as a failure, so a flapping server is not hammered. */
const MIN_HEALTHY_WATCH_MS = 1000;

export class Reflector {
  private readonly stopController = new AbortController();
  private running?: Promise<void>;
  private listed = false;

  constructor(private readonly o: ReflectorOptions) {}

  /** True once the first list has been delivered. */
  get hasSynced(): boolean {
    return this.listed;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<void> {
    const { kube, type, namespace, labelSelector, log } = this.o;
    let resourceVersion: string | undefined;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (resourceVersion === undefined) {
          const list = await kube.list(type, namespace, labelSelector);
          resourceVersion = list.resourceVersion;
          this.listed = true;
          this.o.onList(list.items);
        }
        const startedAt = Date.now();
        const end = await this.watchOnce(resourceVersion, (rv) => (resourceVersion = rv));
        if (this.stopped) break;
        if (end.reason === 'closed' && Date.now() - startedAt >= MIN_HEALTHY_WATCH_MS) {
          failures = 0;
          continue;
        }
        failures++;
        const reason = end.reason === 'closed' ? 'closed_early' : end.reason;
        if (end.reason !== 'closed') resourceVersion = undefined;
        this.o.metrics.watchRestarts.inc({ resource: type.plural, reason });
        const delay = backoffDelay(this.o.backoff, failures);
        log.warn(
          {
            event: 'watch.restarted',
            resource: type.plural,
            reason,
            detail: 'detail' in end ? end.detail : undefined,
            delayMs: delay,
          },
          `watch of ${type.plural} ended (${reason}); restarting`,
        );
        await sleep(delay, this.stopController.signal);
      } catch (err) {
        failures++;
        resourceVersion = undefined;
        this.o.metrics.watchRestarts.inc({ resource: type.plural, reason: 'list_failed' });
        const delay = backoffDelay(this.o.backoff, failures);
        log.warn(
          { event: 'watch.list_failed', resource: type.plural, error: (err as Error).message, delayMs: delay },
          `listing ${type.plural} failed; retrying`,
        );
        await sleep(delay, this.stopController.signal);
      }
    }
  }

  /** One watch connection, from `rv` until it ends one way or another. */
  private watchOnce(rv: string, advance: (rv: string) => void): Promise<WatchEnd> {
    return new Promise((resolve) => {
      let finished = false;
      // Set once the watch is started; `finish` may run before that only if we are stopped meanwhile.
      const ref: { handle?: WatchHandle } = {};
      let watchdog: NodeJS.Timeout | undefined;
      const quietLimit = this.o.timeoutSeconds * 1000 + this.o.stallGraceMs;
      const finish = (end: WatchEnd) => {
        if (finished) return;
        finished = true;
        clearTimeout(watchdog);
        this.stopController.signal.removeEventListener('abort', onStop);
        ref.handle?.stop();
        resolve(end);
      };
      const arm = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => finish({ reason: 'stalled', detail: `no event for ${quietLimit} ms` }), quietLimit);
      };
      const onStop = () => finish({ reason: 'closed' });
      const onEvent = (type: WatchEventType, object: KubeObject) => {
        if (finished) return;
        arm();
        if (type === 'ERROR') {
          const status = object as unknown as { code?: number; message?: string };
          finish({
            reason: status.code === 410 ? 'expired' : 'error',
            detail: status.message ?? `code ${status.code}`,
          });
          return;
        }
        const next = object.metadata?.resourceVersion;
        if (next) advance(next);
        if (type !== 'BOOKMARK') this.o.onEvent(type, object);
      };
      const onDone = (err: AgentError | undefined) => {
        if (!err) finish({ reason: 'closed' });
        else finish({ reason: err.code === ERROR_CODES.gone ? 'expired' : 'error', detail: err.message });
      };
      ref.handle = this.o.kube.watch(
        this.o.type,
        this.o.namespace,
        {
          resourceVersion: rv,
          timeoutSeconds: this.o.timeoutSeconds,
          ...(this.o.labelSelector ? { labelSelector: this.o.labelSelector } : {}),
        },
        onEvent,
        onDone,
      );
      this.stopController.signal.addEventListener('abort', onStop, { once: true });
      arm();
    });
  }
}
