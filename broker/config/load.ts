// The hub's configuration is a deployment manifest (the same document the agent takes). The hub uses the
// `$edgeHub` desired properties (routes, store-and-forward) and the list of modules (who may connect).
// Loading is pure apart from reading the file: the caller decides whether to apply or refuse.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  DESIRED,
  findEdgeHubDesired,
  findModulesContent,
  isPlainObject,
  validateEdgeHubDesired,
  type EdgeHubDesiredProperties,
} from '../../manifest/index.js';
import { RouteTable } from '../../routing/index.js';

export interface HubConfig {
  readonly edgeHub: EdgeHubDesiredProperties;
  readonly routes: RouteTable;
  /** Modules of `$edgeAgent` that may connect; undefined when the document has no `$edgeAgent`. */
  readonly modules: ReadonlySet<string> | undefined;
  /** sha256 of the file, to notice real changes. */
  readonly digest: string;
}

export type ConfigLoad = { ok: true; config: HubConfig } | { ok: false; errors: readonly string[] };

function modulesOf(doc: unknown): ReadonlySet<string> | undefined {
  const content = findModulesContent(doc);
  const agent = content?.value.$edgeAgent;
  if (!isPlainObject(agent)) return undefined;
  const desired = agent[DESIRED];
  if (!isPlainObject(desired) || !isPlainObject(desired.modules)) return new Set();
  return new Set(Object.keys(desired.modules));
}

/** Parses and checks a configuration document already read into memory. */
export function parseHubConfig(text: string, source: string): ConfigLoad {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [`${source}: not valid JSON: ${(err as Error).message}`] };
  }
  const located = findEdgeHubDesired(doc);
  if (!located) {
    return {
      ok: false,
      errors: [
        `${source}: no $edgeHub desired properties found (expected a deployment manifest with modulesContent.$edgeHub)`,
      ],
    };
  }
  const edgeHub = validateEdgeHubDesired(located.value, located.path || '$edgeHub');
  if (!edgeHub.ok) return { ok: false, errors: edgeHub.issues.map((i) => `${source}: ${i.path}: ${i.message}`) };
  const table = RouteTable.build(edgeHub.value.routes);
  if (!table.ok) return { ok: false, errors: table.errors.map((e) => `${source}: ${e.render()}`) };
  return {
    ok: true,
    config: {
      edgeHub: edgeHub.value,
      routes: table.table,
      modules: modulesOf(doc),
      digest: createHash('sha256').update(text).digest('hex'),
    },
  };
}

export function loadHubConfig(path: string): ConfigLoad {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, errors: [`cannot read configuration ${path}: ${(err as Error).message}`] };
  }
  return parseHubConfig(text, path);
}
