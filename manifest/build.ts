// Writing a deployment manifest from a short description: the sample configuration, tests and benchmarks all
// need a valid `$edgeAgent` skeleton around their modules and routes, and it is written here once.
import { DESIRED } from './document.js';

export type RouteEntry =
  string | { readonly route: string; readonly priority?: number; readonly timeToLiveSecs?: number };

export interface ManifestSketch {
  /** Module ids, or module id → image. */
  readonly modules: readonly string[] | Readonly<Record<string, string>>;
  readonly routes: Readonly<Record<string, RouteEntry>>;
  /** Store-and-forward TTL in seconds (default 7200, the portal's default). */
  readonly timeToLiveSecs?: number;
  /** Module id → desired properties (module twins). */
  readonly desired?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Leaf and child edge devices (`edgehubDevices`): device id → {} (derived key) or {symmetricKey}. */
  readonly devices?: Readonly<Record<string, { readonly symmetricKey?: string }>>;
  /** Image of the system modules (default `edgehub:latest`). */
  readonly runtimeImage?: string;
}

/** A schema-1.1 deployment manifest (`{modulesContent}`) with running docker modules. */
export function buildManifest(s: ManifestSketch): { modulesContent: Record<string, unknown> } {
  const images: Record<string, string> = Array.isArray(s.modules)
    ? Object.fromEntries((s.modules as readonly string[]).map((m) => [m, `${m}:latest`]))
    : { ...(s.modules as Readonly<Record<string, string>>) };
  const system = (image: string) => ({ type: 'docker', settings: { image, createOptions: '{}' } });
  const runtimeImage = s.runtimeImage ?? 'edgehub:latest';
  const modulesContent: Record<string, unknown> = {
    $edgeAgent: {
      [DESIRED]: {
        schemaVersion: '1.1',
        runtime: { type: 'docker', settings: {} },
        systemModules: {
          edgeAgent: system(runtimeImage),
          edgeHub: { ...system(runtimeImage), status: 'running', restartPolicy: 'always' },
        },
        modules: Object.fromEntries(
          Object.entries(images).map(([m, image]) => [
            m,
            { version: '1.0', status: 'running', restartPolicy: 'always', ...system(image) },
          ]),
        ),
      },
    },
    $edgeHub: {
      [DESIRED]: {
        schemaVersion: '1.1',
        routes: s.routes,
        storeAndForwardConfiguration: { timeToLiveSecs: s.timeToLiveSecs ?? 7200 },
        ...(s.devices ? { edgehubDevices: s.devices } : {}),
      },
    },
  };
  for (const [m, desired] of Object.entries(s.desired ?? {})) modulesContent[m] = { [DESIRED]: desired };
  return { modulesContent };
}
