// The planner's entry point: an EdgeDeployment and the secrets the reconciler holds → every object the
// agent applies for that device. Pure and deterministic: same input, same objects, same order.
import { childPath, type ManifestIssue, type RegistryCredential } from '../../manifest/index.js';
import { readEdgeDeployment, type Device } from '../crd/edge-deployment.js';
import { KIND_ORDER, modulePath, type PlanContext, type PlanInputs, type PlannedObject } from './context.js';
import { planModule } from './deployment.js';
import { hubImage, planHub } from './hub.js';
import { planCaConfigMap } from './identity.js';
import { HUB, moduleObjectName } from './names.js';
import { credentialFor, planPullSecret, pullSecretName } from './registry.js';
import { planVolumeClaim } from './volumes.js';

export type PlanResult =
  | { readonly ok: true; readonly device: Device; readonly objects: PlannedObject[]; readonly issues: ManifestIssue[] }
  | { readonly ok: false; readonly device?: Device; readonly issues: ManifestIssue[] };

export type { PlanInputs, PlannedObject } from './context.js';

function objectName(o: PlannedObject): string {
  return o.metadata?.name ?? '';
}

function sortObjects(objects: PlannedObject[]): PlannedObject[] {
  return [...objects].sort(
    (a, b) =>
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || objectName(a).localeCompare(objectName(b), 'en'),
  );
}

/** Two planned objects of one kind and name cannot both exist: say which modules clash. */
function checkCollisions(ctx: PlanContext, owned: readonly { owner: string; objects: PlannedObject[] }[]) {
  const seen = new Map<string, string>();
  const reported = new Set<string>();
  for (const { owner, objects } of owned) {
    for (const o of objects) {
      const key = `${o.kind} ${objectName(o)}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, owner);
      else if (first !== owner && !reported.has(`${owner}\n${first}`)) {
        reported.add(`${owner}\n${first}`);
        ctx.errors.push({
          path: owner === HUB.moduleId ? 'spec' : modulePath(owner),
          message: `${owner} and ${first} would both own ${key} (and maybe more); rename one module`,
        });
      }
    }
  }
}

/** Two credential keys that make one Secret name (`my_acr`, `my.acr`) would overwrite each other's Secret. */
function checkCredentialNames(ctx: PlanContext, credentials: readonly RegistryCredential[]) {
  const byName = new Map<string, string>();
  for (const c of credentials) {
    const name = pullSecretName(c);
    const first = byName.get(name);
    if (first === undefined) byName.set(name, c.name);
    else
      ctx.errors.push({
        path: childPath(REGISTRY_CREDENTIALS_PATH, c.name),
        message: `registry credentials "${first}" and "${c.name}" would both be Secret ${name}; rename one`,
      });
  }
}

const REGISTRY_CREDENTIALS_PATH =
  'spec.modulesContent.$edgeAgent["properties.desired"].runtime.settings.registryCredentials';

export function plan(edgeDeployment: unknown, inputs: PlanInputs): PlanResult {
  const read = readEdgeDeployment(edgeDeployment);
  if (!read.ok) return { ok: false, issues: [...read.issues] };
  const device = read.value;
  const ctx: PlanContext = { device, inputs, warnings: [...read.issues], errors: [] };
  const owned: { owner: string; objects: PlannedObject[] }[] = [
    { owner: HUB.moduleId, objects: [planCaConfigMap(ctx), ...planHub(ctx)] },
  ];
  const credentials = device.manifest.edgeAgent?.runtime.registryCredentials ?? [];
  checkCredentialNames(ctx, credentials);
  const used = new Map<string, RegistryCredential>();
  const claims = new Set<string>();
  const note = (image: string) => {
    const c = credentialFor(image, credentials);
    if (c) used.set(c.name, c);
  };
  note(hubImage(ctx));
  for (const module of device.manifest.edgeAgent?.modules ?? []) {
    const name = moduleObjectName(module.name);
    if (name === undefined) {
      ctx.errors.push({
        path: modulePath(module.name),
        message: `"${module.name}" has no letters or digits to name Kubernetes objects with`,
      });
      continue;
    }
    const planned = planModule(ctx, module, name);
    owned.push({ owner: module.name, objects: planned.objects });
    planned.claims.forEach((c) => claims.add(c));
    note(module.image);
  }
  const shared = [
    ...[...claims].map((c) => planVolumeClaim(ctx, c)),
    ...[...used.values()].map((c) => planPullSecret(ctx, c)),
  ];
  owned.push({ owner: 'volumes and registry credentials', objects: shared });
  checkCollisions(ctx, owned);
  const issues = [...ctx.errors, ...ctx.warnings];
  if (ctx.errors.length > 0) return { ok: false, device, issues };
  return { ok: true, device, objects: sortObjects(owned.flatMap((o) => o.objects)), issues };
}
