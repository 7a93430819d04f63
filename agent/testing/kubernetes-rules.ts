// What a real API server would reject in a planned object: first the OpenAPI schema (kubernetes-models'
// validate()), then the rules the schema does not carry (name formats, label syntax, references inside a
// pod, a selector that matches its template). Used by the planner's golden tests; returns problems as text.
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { PlannedObject } from '../plan/context.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
export const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function validateSchema(o: PlannedObject): void {
  switch (o.kind) {
    case 'Deployment':
      return new Deployment(o).validate();
    case 'Service':
      return new Service(o).validate();
    case 'ServiceAccount':
      return new ServiceAccount(o).validate();
    case 'Secret':
      return new Secret(o).validate();
    case 'ConfigMap':
      return new ConfigMap(o).validate();
    case 'PersistentVolumeClaim':
      return new PersistentVolumeClaim(o).validate();
  }
}

function isQualifiedKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  return (
    (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix))) &&
    name.length <= 63 &&
    QUALIFIED_NAME.test(name)
  );
}

function checkMeta(meta: PlannedObject['metadata'], where: string, problems: string[], nameRule = DNS_SUBDOMAIN) {
  const name = meta?.name ?? '';
  if (meta?.name !== undefined && !(name.length <= 253 && nameRule.test(name)))
    problems.push(`${where}: bad name "${name}"`);
  for (const [k, v] of Object.entries(meta?.labels ?? {})) {
    if (!isQualifiedKey(k)) problems.push(`${where}: bad label key "${k}"`);
    if (!(v.length <= 63 && LABEL_VALUE.test(v))) problems.push(`${where}: bad label value "${v}"`);
  }
  for (const k of Object.keys(meta?.annotations ?? {})) {
    if (!isQualifiedKey(k)) problems.push(`${where}: bad annotation key "${k}"`);
  }
}

function checkDeployment(d: Deployment, where: string, problems: string[]) {
  const template = d.spec?.template;
  const pod = template?.spec;
  checkMeta(template?.metadata, `${where} template`, problems);
  for (const [k, v] of Object.entries(d.spec?.selector.matchLabels ?? {})) {
    if (template?.metadata?.labels?.[k] !== v)
      problems.push(`${where}: selector ${k}=${v} does not match the template`);
  }
  const volumes = new Set<string>();
  for (const v of pod?.volumes ?? []) {
    if (!DNS_LABEL.test(v.name) || v.name.length > 63) problems.push(`${where}: bad volume name "${v.name}"`);
    if (volumes.has(v.name)) problems.push(`${where}: duplicate volume "${v.name}"`);
    volumes.add(v.name);
  }
  for (const c of pod?.containers ?? []) {
    if (!DNS_LABEL.test(c.name) || c.name.length > 63) problems.push(`${where}: bad container name "${c.name}"`);
    for (const m of c.volumeMounts ?? []) {
      if (!volumes.has(m.name)) problems.push(`${where}: mount of unknown volume "${m.name}"`);
    }
    const mountPaths = (c.volumeMounts ?? []).map((m) => m.mountPath);
    if (new Set(mountPaths).size !== mountPaths.length) problems.push(`${where}: two mounts share a mountPath`);
    for (const p of c.ports ?? []) {
      if (p.name !== undefined && !(p.name.length <= 15 && IANA_SVC_NAME.test(p.name))) {
        problems.push(`${where}: bad container port name "${p.name}"`);
      }
    }
    const envNames = (c.env ?? []).map((e) => e.name);
    if (new Set(envNames).size !== envNames.length) problems.push(`${where}: duplicate env names`);
    // What API servers before 1.32 accept (RelaxedEnvironmentVariableValidation came later).
    for (const n of envNames)
      if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(n)) problems.push(`${where}: bad env name "${n}"`);
  }
}

/** Problems a real API server would report for `o`; empty when it would accept it. */
export function kubernetesProblems(o: PlannedObject): string[] {
  const where = `${o.kind} ${o.metadata?.name ?? '?'}`;
  const problems: string[] = [];
  try {
    validateSchema(o);
  } catch (err) {
    problems.push(`${where}: ${(err as Error).message}`);
  }
  checkMeta(o.metadata, where, problems, o.kind === 'Service' ? DNS_1035 : DNS_SUBDOMAIN);
  if (o.kind === 'Service' && (o.metadata?.name ?? '').length > 63) problems.push(`${where}: name longer than 63`);
  if (o.kind === 'Deployment') checkDeployment(new Deployment(o), where, problems);
  if (o.kind === 'Service') {
    const names = (o.spec?.ports ?? []).map((p) => p.name ?? '');
    if (new Set(names).size !== names.length) problems.push(`${where}: duplicate port names`);
    for (const n of names) if (!DNS_LABEL.test(n)) problems.push(`${where}: bad port name "${n}"`);
  }
  if (o.kind === 'Secret' || o.kind === 'ConfigMap') {
    for (const k of Object.keys(o.data ?? {})) if (!CONFIG_KEY.test(k)) problems.push(`${where}: bad data key "${k}"`);
  }
  return problems;
}
