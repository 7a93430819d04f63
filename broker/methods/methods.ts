// Direct methods: a call to a module goes to the head its method channel is on (MQTT `$iothub/methods/POST/…`,
// an AMQP methods link), and the module's answer comes back to the caller. Every call ends: with the module's
// status and payload, 404 when the module is not connected (after connectTimeoutInSeconds), or 504 when it does
// not answer within responseTimeoutInSeconds (a module without a handler for the method never answers).
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';

/** What a caller asks for (the body of POST /twins/{d}/modules/{m}/methods, as IoT Hub names the fields). */
export interface MethodCall {
  readonly methodName: string;
  /** Any JSON value; null when the caller gave none. */
  readonly payload: unknown;
  readonly responseTimeoutInSeconds: number;
  readonly connectTimeoutInSeconds: number;
}

/** The module answered: its status and its payload (any JSON value). */
export interface MethodAnswer {
  readonly kind: 'answer';
  readonly status: number;
  readonly payload: unknown;
}

/** The call did not reach an answer: the HTTP status to report and why. */
export interface MethodFailure {
  readonly kind: 'failure';
  readonly status: 400 | 404 | 413 | 504;
  readonly message: string;
}

export type MethodOutcome = MethodAnswer | MethodFailure;

/** How a head hands a method request to one connected module. */
export interface MethodChannel {
  /** `payload` is JSON (never empty: the MQTT SDK answers an empty body with 400 by itself). */
  send(requestId: string, methodName: string, payload: Buffer): void;
}

/** IoT Hub's limits on direct methods. */
export const METHOD_LIMITS = {
  /** Bytes of a request or response payload as JSON (IoT Hub: 128 KB). */
  payloadBytes: 128 * 1024,
  nameLength: 100,
  /** Seconds (IoT Hub: 5…300 for the response, 0…300 for the connect timeout; default 30 and 0). */
  maxTimeoutSeconds: 300,
  defaultResponseTimeoutSeconds: 30,
} as const;

// Characters that cannot stand in an MQTT topic level ('/', '+', '#'), that end the path ('?'), or that the SDK's
// url.parse rewrites before it looks the handler up (spaces, quotes, braces, '\\' …): a method with them in its name
// could never be answered, so the call is refused at once.
// eslint-disable-next-line no-control-regex
const BAD_NAME = /[\u0000-\u0020\u007f/+#?\\"'<>{}|^`%]/;

/** Why `name` cannot be a method name; undefined when it can. */
export function methodNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'methodName must be a non-empty string';
  if (name.length > METHOD_LIMITS.nameLength) return `methodName is over ${METHOD_LIMITS.nameLength} characters`;
  const bad = BAD_NAME.exec(name);
  if (bad) {
    return `methodName "${name}" has ${JSON.stringify(bad[0])} at ${bad.index}: method names may not hold spaces, control characters or / + # ? \\ " ' < > { } | ^ \` %`;
  }
  return undefined;
}

/** Reads and checks a call as an HTTP body gives it; a string is the reason it is refused. */
export function parseMethodCall(body: unknown): MethodCall | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body must be a JSON object';
  const b = body as Record<string, unknown>;
  const nameProblem = methodNameProblem(b.methodName);
  if (nameProblem) return nameProblem;
  const seconds = (key: string, fallback: number): number | string => {
    const v = b[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > METHOD_LIMITS.maxTimeoutSeconds) {
      return `${key} must be a number of seconds from 0 to ${METHOD_LIMITS.maxTimeoutSeconds}`;
    }
    return v;
  };
  const response = seconds('responseTimeoutInSeconds', METHOD_LIMITS.defaultResponseTimeoutSeconds);
  if (typeof response === 'string') return response;
  const connect = seconds('connectTimeoutInSeconds', 0);
  if (typeof connect === 'string') return connect;
  return {
    methodName: b.methodName as string,
    payload: b.payload === undefined ? null : b.payload,
    responseTimeoutInSeconds: response,
    connectTimeoutInSeconds: connect,
  };
}

interface Pending {
  readonly target: string;
  readonly methodName: string;
  readonly resolve: (o: MethodOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

interface Waiter {
  readonly ready: () => void;
}

export class Methods {
  private readonly channels = new Map<string, MethodChannel>();
  private readonly pending = new Map<string, Pending>();
  private readonly waiting = new Map<string, Set<Waiter>>();

  constructor(
    private readonly log: Logger,
    /** Every call that reached a target or failed to: caller, target and seconds to the outcome (metrics). */
    private readonly ended: (from: string, to: string, seconds: number) => void = () => undefined,
  ) {}

  /** `id` (an identity id) takes method calls on `channel` until the returned function is called. */
  register(id: string, channel: MethodChannel): () => void {
    this.channels.set(id, channel);
    for (const w of this.waiting.get(id) ?? []) w.ready();
    return () => {
      if (this.channels.get(id) === channel) this.channels.delete(id);
    };
  }

  /** Whether `id` takes method calls now. */
  connected(id: string): boolean {
    return this.channels.has(id);
  }

  /**
   * Calls `call.methodName` on identity `target` for caller `from` (an identity id, or `edgehub` for the
   * operator); always resolves (answer, 404, 413 or 504), never rejects.
   */
  async invoke(target: string, call: MethodCall, from = 'edgehub'): Promise<MethodOutcome> {
    const started = performance.now();
    const outcome = await this.call(target, call);
    this.ended(from, target, (performance.now() - started) / 1000);
    return outcome;
  }

  private async call(target: string, call: MethodCall): Promise<MethodOutcome> {
    const payload = Buffer.from(JSON.stringify(call.payload ?? null));
    if (payload.length > METHOD_LIMITS.payloadBytes) {
      return {
        kind: 'failure',
        status: 413,
        message: `method payload is ${payload.length} bytes, over the ${METHOD_LIMITS.payloadBytes}-byte limit`,
      };
    }
    let channel = this.channels.get(target);
    if (!channel && call.connectTimeoutInSeconds > 0) {
      await this.waitForChannel(target, call.connectTimeoutInSeconds * 1000);
      channel = this.channels.get(target);
    }
    if (!channel) {
      return {
        kind: 'failure',
        status: 404,
        message: `${target} is not connected or has not subscribed to methods: method "${call.methodName}" not invoked`,
      };
    }
    const requestId = randomUUID();
    const timeoutMs = Math.max(call.responseTimeoutInSeconds, 0.001) * 1000;
    return new Promise<MethodOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        this.log.info(
          { event: 'method.timeout', target, method: call.methodName, timeoutMs },
          `method "${call.methodName}" on ${target}: no answer within ${call.responseTimeoutInSeconds} s`,
        );
        resolve({
          kind: 'failure',
          status: 504,
          message: `${target} did not answer method "${call.methodName}" within ${call.responseTimeoutInSeconds} s (no handler registered, or it is slow)`,
        });
      }, timeoutMs);
      this.pending.set(requestId, { target, methodName: call.methodName, resolve, timer });
      try {
        channel.send(requestId, call.methodName, payload);
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(requestId);
        resolve({
          kind: 'failure',
          status: 404,
          message: `method "${call.methodName}" could not be sent to ${target}: ${(err as Error).message}`,
        });
      }
    });
  }

  private waitForChannel(target: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiting.get(target);
      if (!set) this.waiting.set(target, (set = new Set()));
      const waiter: Waiter = {
        ready: () => {
          clearTimeout(timer);
          set.delete(waiter);
          if (set.size === 0) this.waiting.delete(target);
          resolve();
        },
      };
      const timer = setTimeout(waiter.ready, ms);
      set.add(waiter);
    });
  }

  /**
   * The answer of `from` to request `requestId`: status and payload bytes (JSON; anything else is passed on as a
   * string). False when no such call is waiting for that identity (late, unknown, or from someone else).
   */
  respond(from: string, requestId: string, status: number, payload: Buffer): boolean {
    const p = this.pending.get(requestId);
    if (!p || p.target !== from) {
      this.log.info(
        { event: 'method.response.unexpected', from, requestId: requestId.slice(0, 100) },
        `method response from ${from} for request "${requestId.slice(0, 100)}", which is not waiting (late or unknown)`,
      );
      return false;
    }
    this.pending.delete(requestId);
    clearTimeout(p.timer);
    if (payload.length > METHOD_LIMITS.payloadBytes) {
      p.resolve({
        kind: 'failure',
        status: 413,
        message: `${from} answered method "${p.methodName}" with ${payload.length} bytes, over the ${METHOD_LIMITS.payloadBytes}-byte limit`,
      });
      return true;
    }
    let value: unknown = null;
    const text = payload.toString('utf8');
    if (text.trim().length > 0) {
      try {
        value = JSON.parse(text);
      } catch {
        value = text;
      }
    }
    p.resolve({ kind: 'answer', status, payload: value });
    return true;
  }

  /** Ends every waiting call (the hub is closing). */
  close(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ kind: 'failure', status: 504, message: `the hub closed before ${p.target} answered` });
      this.pending.delete(id);
    }
    for (const set of this.waiting.values()) for (const w of [...set]) w.ready();
  }
}
