// A whole deployment manifest: `$edgeAgent`, `$edgeHub` and the per-module desired properties (module twins).
// The one entry point for the agent, the hub and the command line.
import { DESIRED, findModulesContent } from './document.js';
import { validateEdgeAgentDesired } from './edge-agent-desired.js';
import { validateEdgeHubDesired } from './edgehub-desired.js';
import { childPath, describeType, hasErrors, isPlainObject, type ManifestIssue, type Validated } from './issues.js';
import type { DeploymentManifest, EdgeAgentDesiredProperties } from './types.js';

export interface ValidateManifestOptions {
  /**
   * `required` (the default) for a deployment the agent runs; `optional` for the hub's own configuration
   * file, which the agent writes without `$edgeAgent` (it holds registry passwords the hub has no use for).
   */
  readonly edgeAgent?: 'required' | 'optional';
}

/** `modulesContent.<name>["properties.desired"]`, or an issue when the entry has another shape. */
function readDesired(value: unknown, path: string, issues: ManifestIssue[]): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) {
    issues.push({ path, message: `write {"${DESIRED}": {…}}, got ${describeType(value)}` });
    return undefined;
  }
  const desired = value[DESIRED];
  if (isPlainObject(desired)) return desired;
  issues.push({
    path: childPath(path, DESIRED),
    message: desired === undefined ? `"${DESIRED}" is missing` : `must be an object, got ${describeType(desired)}`,
  });
  return undefined;
}

/** Keys such as `properties.desired.modules.tempSensor`: how Azure layered deployments address a part of a twin. */
function layeredKeys(modulesContent: Record<string, unknown>): { entry: string; key: string }[] {
  const out: { entry: string; key: string }[] = [];
  for (const [entry, value] of Object.entries(modulesContent)) {
    if (!isPlainObject(value)) continue;
    for (const key of Object.keys(value)) if (key.startsWith(`${DESIRED}.`)) out.push({ entry, key });
  }
  return out;
}

/**
 * Validates a deployment manifest in any of the shapes `findModulesContent` accepts. Errors name the JSON
 * path and the problem; warnings (ignored fields) ride along with a valid result.
 */
export function validateManifest(doc: unknown, options: ValidateManifestOptions = {}): Validated<DeploymentManifest> {
  const content = findModulesContent(doc);
  if (!content) {
    return {
      ok: false,
      issues: [
        {
          path: '',
          message: 'not a deployment manifest: expected {"modulesContent": {"$edgeAgent": …, "$edgeHub": …}}',
        },
      ],
    };
  }
  const issues: ManifestIssue[] = [];
  const at = (key: string) => childPath(content.path, key);
  const modulesContent = content.value;
  const layered = layeredKeys(modulesContent);
  if (layered.length > 0) {
    const first = layered[0]!;
    return {
      ok: false,
      issues: [
        {
          path: childPath(at(first.entry), first.key),
          message:
            `this is a layered deployment ("${first.key}"${layered.length > 1 ? ` and ${layered.length - 1} more such keys` : ''}): ` +
            `edgehub runs one complete deployment and does not merge layers; merge the layer into the base deployment's "${DESIRED}" and apply that`,
        },
      ],
    };
  }

  let edgeAgent: EdgeAgentDesiredProperties | undefined;
  if (modulesContent.$edgeAgent === undefined) {
    if (options.edgeAgent !== 'optional')
      issues.push({ path: at('$edgeAgent'), message: '$edgeAgent is missing: it lists the modules to run' });
  } else {
    const desired = readDesired(modulesContent.$edgeAgent, at('$edgeAgent'), issues);
    if (desired) {
      const r = validateEdgeAgentDesired(desired, childPath(at('$edgeAgent'), DESIRED));
      issues.push(...r.issues);
      if (r.ok) edgeAgent = r.value;
    }
  }

  let edgeHub;
  if (modulesContent.$edgeHub === undefined) {
    issues.push({
      path: at('$edgeHub'),
      message: '$edgeHub is missing: it holds the routes and store-and-forward settings',
    });
  } else {
    const desired = readDesired(modulesContent.$edgeHub, at('$edgeHub'), issues);
    if (desired) {
      const r = validateEdgeHubDesired(desired, childPath(at('$edgeHub'), DESIRED));
      issues.push(...r.issues);
      if (r.ok) edgeHub = r.value;
    }
  }

  const moduleNames = new Set(edgeAgent?.modules.map((m) => m.name));
  const moduleTwins: Record<string, Record<string, unknown>> = {};
  for (const [name, entry] of Object.entries(modulesContent)) {
    if (name === '$edgeAgent' || name === '$edgeHub') continue;
    const desired = readDesired(entry, at(name), issues);
    if (!desired) continue;
    moduleTwins[name] = desired;
    if (edgeAgent && !moduleNames.has(name)) {
      issues.push({
        path: at(name),
        severity: 'warning',
        message: `desired properties for "${name}", which is not a module of $edgeAgent`,
      });
    }
  }

  if (hasErrors(issues) || edgeHub === undefined) return { ok: false, issues };
  return { ok: true, value: { ...(edgeAgent ? { edgeAgent } : {}), edgeHub, moduleTwins, modulesContent }, issues };
}
