// Server-side apply of planned objects, in plan order, each retried a few times on retryable errors
// (conflicts, a busy API server) before the reconcile as a whole gives up and is requeued with backoff.
import { isRetryable } from '../errors.js';
import type { KubeClient, KubeObject } from './kube.js';

export interface ApplyOptions {
  /** Attempts per object, the first included. */
  readonly attempts?: number;
  /** Pause before the second attempt; doubles after each. */
  readonly retryDelayMs?: number;
  readonly onApplied?: (object: KubeObject) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function applyObject(
  kube: KubeClient,
  object: KubeObject,
  options: ApplyOptions = {},
): Promise<KubeObject> {
  const attempts = options.attempts ?? 4;
  let delay = options.retryDelayMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await kube.apply(object);
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
      await sleep(delay);
      delay *= 2;
    }
  }
}

/** Applies every object in order; stops at the first that still fails after its retries. */
export async function applyObjects(
  kube: KubeClient,
  objects: readonly KubeObject[],
  options: ApplyOptions = {},
): Promise<number> {
  for (const object of objects) {
    await applyObject(kube, object, options);
    options.onApplied?.(object);
  }
  return objects.length;
}
