// The hub's configuration is a deployment manifest (the same document the agent takes). The hub uses the
// `$edgeHub` desired properties (routes, store-and-forward), the module list of `$edgeAgent` (who may connect)
// and, later, the module twins. Loading is pure apart from reading the file: the caller applies or refuses.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  hasErrors,
  validateManifest,
  type DeploymentManifest,
  type EdgeHubDesiredProperties,
} from '../../manifest/index.js';
import { RouteTable } from '../../routing/index.js';

export interface HubConfig {
  readonly manifest: DeploymentManifest;
  readonly edgeHub: EdgeHubDesiredProperties;
  readonly routes: RouteTable;
  /** Modules listed in `$edgeAgent`; undefined when the document has no `$edgeAgent` (then any module may connect). */
  readonly modules: ReadonlySet<string> | undefined;
  /** Warnings that did not stop the configuration (ignored fields), one line each. */
  readonly warnings: readonly string[];
  /** sha256 of the file, to notice real changes. */
  readonly digest: string;
}

export type ConfigLoad = { ok: true; config: HubConfig } | { ok: false; errors: readonly string[] };

/** Parses and checks a configuration document already read into memory. */
export function parseHubConfig(text: string, source: string): ConfigLoad {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [`${source}: not valid JSON: ${(err as Error).message}`] };
  }
  const validated = validateManifest(doc, { edgeAgent: 'optional' });
  const at = (path: string) => (path === '' ? source : `${source}: ${path}`);
  if (!validated.ok || hasErrors(validated.issues)) {
    return {
      ok: false,
      errors: validated.issues.filter((i) => i.severity !== 'warning').map((i) => `${at(i.path)}: ${i.message}`),
    };
  }
  const manifest = validated.value;
  const table = RouteTable.build(manifest.edgeHub.routes);
  if (!table.ok) return { ok: false, errors: table.errors.map((e) => `${source}: ${e.render()}`) };
  return {
    ok: true,
    config: {
      manifest,
      edgeHub: manifest.edgeHub,
      routes: table.table,
      modules: manifest.edgeAgent ? new Set(manifest.edgeAgent.modules.map((m) => m.name)) : undefined,
      warnings: [
        ...validated.issues.map((i) => `${at(i.path)}: ${i.message}`),
        ...table.table.warnings.map((w) => `${source}: ${w.render()}`),
      ],
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
