// Where the parts of a deployment manifest sit, whichever of the common document shapes a user hands us.
import { isPlainObject } from './issues.js';

/** The key of a module's desired properties inside `modulesContent`. */
export const DESIRED = 'properties.desired';

export interface Located<T> {
  readonly value: T;
  /** JSON path of `value` inside the document, for messages. */
  readonly path: string;
}

/**
 * Finds `modulesContent` in a deployment manifest. Accepted shapes:
 * `{modulesContent}` (deployment.json), `{content: {modulesContent}}` (az iot edge deployment),
 * and `modulesContent` itself (an object with `$edgeAgent` or `$edgeHub`).
 */
export function findModulesContent(doc: unknown): Located<Record<string, unknown>> | undefined {
  if (!isPlainObject(doc)) return undefined;
  if (isPlainObject(doc.modulesContent)) return { value: doc.modulesContent, path: 'modulesContent' };
  if (isPlainObject(doc.content) && isPlainObject(doc.content.modulesContent)) {
    return { value: doc.content.modulesContent, path: 'content.modulesContent' };
  }
  if ('$edgeAgent' in doc || '$edgeHub' in doc) return { value: doc, path: '' };
  return undefined;
}

/**
 * Finds the `$edgeHub` desired properties: inside a whole manifest, or the document itself when it is
 * a bare desired-properties object (it has `routes` or `schemaVersion` at the top).
 */
export function findEdgeHubDesired(doc: unknown): Located<unknown> | undefined {
  const content = findModulesContent(doc);
  if (content) {
    const hub = content.value.$edgeHub;
    const prefix = content.path === '' ? '$edgeHub' : `${content.path}.$edgeHub`;
    if (isPlainObject(hub) && DESIRED in hub) return { value: hub[DESIRED], path: `${prefix}["${DESIRED}"]` };
    if (hub !== undefined) return { value: hub, path: prefix };
    return undefined;
  }
  if (isPlainObject(doc) && ('routes' in doc || 'schemaVersion' in doc)) return { value: doc, path: '' };
  return undefined;
}
