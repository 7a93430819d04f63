// Module twins: desired properties come from the configuration (the manifest's per-module `properties.desired`),
// reported properties are patched by the module; both are kept in the store with their `$version`. Protocol heads
// call `get`/`patchReported` for requests and `watch` to push desired patches to a connected module; a reported
// change also becomes a twin change notification for routes FROM /twinChangeNotifications (reference/routing.md §6).
import type { Identity } from '../auth/identity.js';
import { SystemProperty, type Message } from '../core/message.js';
import type { Logger } from '../log.js';
import {
  desiredFromManifest,
  diffPatch,
  mergePatch,
  patchProblem,
  sameJson,
  TWIN_LIMITS,
  type TwinObject,
} from './document.js';

/** One identity's twin as stored. `id` is the identity id (`{device}/{module}`, or `{device}`). */
export interface TwinRecord {
  readonly id: string;
  readonly desired: TwinObject;
  readonly desiredVersion: number;
  readonly reported: TwinObject;
  readonly reportedVersion: number;
}

/** Where twins are kept (the SQLite store). Synchronous, like the rest of the store. */
export interface TwinStore {
  twins(): TwinRecord[];
  saveTwin(twin: TwinRecord): void;
}

/** The twin as the SDK reads it: `{desired, reported}`, each with its `$version`. */
export interface TwinProperties {
  readonly desired: TwinObject;
  readonly reported: TwinObject;
}

/** A twin request that failed: the status to answer (400 bad patch, 413 too large, 500 store failure) and why. */
export interface TwinError {
  readonly status: 400 | 413 | 500;
  readonly message: string;
}

export type PatchResult = { readonly ok: true; readonly version: number } | ({ readonly ok: false } & TwinError);

/** Receives a desired-property patch (with `$version`) for a connected module. */
export type DesiredListener = (patch: TwinObject) => void;

/** System properties of twin change notifications (reference/routing.md §6). */
export const TwinNotification = {
  messageType: 'twinChangeNotification',
  rpSenderDeviceId: 'rpSenderDeviceId',
  rpSenderModuleId: 'rpSenderModuleId',
  enqueuedTime: 'enqueuedTime',
} as const;

export interface TwinsHooks {
  /** A reported change, as a message for the router (twin change notification). */
  readonly notify?: (message: Message) => void;
  /** A twin read, and a stored reported patch (metrics). */
  readonly read?: (id: string) => void;
  readonly reported?: (id: string) => void;
}

export class Twins {
  private readonly records = new Map<string, TwinRecord>();
  private readonly listeners = new Map<string, Set<DesiredListener>>();
  /** The desired document each identity last saw (answer or patch), to catch it up when it comes back. */
  private readonly seen = new Map<string, { version: number; desired: TwinObject }>();

  constructor(
    private readonly store: TwinStore,
    private readonly edgeDeviceId: string,
    private readonly log: Logger,
    private readonly hooks: TwinsHooks = {},
  ) {
    for (const r of store.twins()) this.records.set(r.id, r);
  }

  private record(id: string): TwinRecord {
    return this.records.get(id) ?? { id, desired: {}, desiredVersion: 1, reported: {}, reportedVersion: 1 };
  }

  /** The twin of `id` (an identity never seen has an empty one, both at `$version` 1). */
  get(id: string): TwinProperties {
    const r = this.record(id);
    this.seen.set(id, { version: r.desiredVersion, desired: r.desired });
    this.hooks.read?.(id);
    return {
      desired: { ...r.desired, $version: r.desiredVersion },
      reported: { ...r.reported, $version: r.reportedVersion },
    };
  }

  /**
   * Merges a reported-properties patch (raw JSON bytes as the module sent them) into the twin of `identity`,
   * stores it and routes a twin change notification. Refuses what is not a valid patch, naming the problem.
   */
  patchReported(identity: Identity, body: Buffer): PatchResult {
    if (body.length > TWIN_LIMITS.documentBytes) {
      return {
        ok: false,
        status: 413,
        message: `reported patch is ${body.length} bytes, over ${TWIN_LIMITS.documentBytes}`,
      };
    }
    let patch: unknown;
    try {
      patch = JSON.parse(body.toString('utf8'));
    } catch (err) {
      return { ok: false, status: 400, message: `reported patch is not valid JSON: ${(err as Error).message}` };
    }
    const problem = patchProblem(patch);
    if (problem !== undefined) return { ok: false, status: 400, message: `reported patch refused: ${problem}` };
    const r = this.record(identity.id);
    const reported = mergePatch(r.reported, patch as TwinObject);
    const size = Buffer.byteLength(JSON.stringify(reported));
    if (size > TWIN_LIMITS.documentBytes) {
      return {
        ok: false,
        status: 413,
        message: `reported properties would be ${size} bytes after this patch, over ${TWIN_LIMITS.documentBytes}`,
      };
    }
    const next: TwinRecord = { ...r, reported, reportedVersion: r.reportedVersion + 1 };
    try {
      this.store.saveTwin(next);
    } catch (err) {
      this.log.error(
        { event: 'twin.store.failed', id: identity.id, err: (err as Error).message },
        `reported properties of ${identity.id} not stored: ${(err as Error).message}`,
      );
      return { ok: false, status: 500, message: `reported properties not stored: ${(err as Error).message}` };
    }
    this.records.set(identity.id, next);
    this.hooks.reported?.(identity.id);
    this.hooks.notify?.(this.notification(identity, body));
    return { ok: true, version: next.reportedVersion };
  }

  private notification(sender: Identity, body: Buffer): Message {
    const now = Date.now();
    const sys: Record<string, string | undefined> = {
      [SystemProperty.messageType]: TwinNotification.messageType,
      [SystemProperty.messageSchema]: TwinNotification.messageType,
      [TwinNotification.enqueuedTime]: new Date(now).toISOString(),
      [SystemProperty.connectionDeviceId]: this.edgeDeviceId,
      [SystemProperty.connectionModuleId]: '$edgeHub',
      [TwinNotification.rpSenderDeviceId]: sender.deviceId,
    };
    if (sender.moduleId !== undefined) sys[TwinNotification.rpSenderModuleId] = sender.moduleId;
    return { properties: {}, systemProperties: sys, body, enqueuedMs: now };
  }

  /**
   * Takes the desired properties of a new configuration (module id → `properties.desired`). A module whose desired
   * properties changed gets a new `$version`, and its connected listeners the patch at once. Returns the ids changed.
   */
  applyConfiguration(moduleTwins: Readonly<Record<string, Readonly<Record<string, unknown>>>>): string[] {
    const changed: string[] = [];
    const ids = new Set<string>();
    for (const moduleId of Object.keys(moduleTwins)) {
      if (!moduleId.startsWith('$')) ids.add(`${this.edgeDeviceId}/${moduleId}`);
    }
    // A module whose desired properties left the manifest gets an empty desired document.
    for (const r of this.records.values()) if (Object.keys(r.desired).length > 0) ids.add(r.id);
    for (const id of ids) {
      const moduleId = id.slice(this.edgeDeviceId.length + 1);
      const desired = desiredFromManifest(moduleTwins[moduleId]);
      const r = this.record(id);
      if (sameJson(r.desired, desired)) continue;
      const next: TwinRecord = { ...r, desired, desiredVersion: r.desiredVersion + 1 };
      try {
        this.store.saveTwin(next);
      } catch (err) {
        this.log.error(
          { event: 'twin.store.failed', id, err: (err as Error).message },
          `desired properties of ${id} not stored: ${(err as Error).message}`,
        );
        continue;
      }
      this.records.set(id, next);
      changed.push(id);
      const patch = diffPatch(r.desired, desired);
      for (const l of this.listeners.get(id) ?? []) this.send(id, l, patch, next);
    }
    return changed;
  }

  private send(id: string, listener: DesiredListener, patch: TwinObject, r: TwinRecord): void {
    this.seen.set(id, { version: r.desiredVersion, desired: r.desired });
    try {
      listener({ ...patch, $version: r.desiredVersion });
    } catch (err) {
      this.log.warn(
        { event: 'twin.desired.send_failed', id, err: (err as Error).message },
        `desired patch for ${id} not sent: ${(err as Error).message}`,
      );
    }
  }

  /**
   * Sends `id`'s desired patches to `listener` until the returned function is called. If the desired
   * properties changed since this identity last saw them (it was offline), the patch from what it saw is sent now.
   */
  watch(id: string, listener: DesiredListener): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    const seen = this.seen.get(id);
    const r = this.record(id);
    if (seen && seen.version < r.desiredVersion) this.send(id, listener, diffPatch(seen.desired, r.desired), r);
    return () => {
      const s = this.listeners.get(id);
      s?.delete(listener);
      if (s?.size === 0) this.listeners.delete(id);
    };
  }
}
