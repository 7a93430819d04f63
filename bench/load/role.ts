// What the worker process asks of each load role (publisher, subscriber, idle connections).
import type { Sample } from './protocol.js';

export interface Role {
  /** Resolves once connected (and subscribed) and the traffic has begun. */
  readonly ready: Promise<void>;
  sample(): Sample;
  /** Clears the latency histogram (the end of a warm-up). */
  reset(): void;
  /** Resolves true when the role's goal (a publisher's limit, a subscriber's expected count) is reached. */
  reached(timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
  /** Set by the worker: a failure after `ready` (a socket closed by the broker, a refused CONNECT). */
  onFailure: ((err: Error) => void) | undefined;
}

/** Resolves true when `done()` turns true, checking every `everyMs`, or false after `timeoutMs`. */
export function waitUntil(done: () => boolean, timeoutMs: number, everyMs = 5): Promise<boolean> {
  return new Promise((resolve) => {
    const start = Date.now();
    const check = () => {
      if (done()) resolve(true);
      else if (Date.now() - start >= timeoutMs) resolve(false);
      else setTimeout(check, everyMs);
    };
    check();
  });
}
