// Structural-schema validation and pruning of custom resources, as the API server does for a CRD's
// openAPIV3Schema: unknown fields are dropped (unless x-kubernetes-preserve-unknown-fields), then types,
// required fields, enums, patterns and lengths are checked; a violation is a 422 with the server's wording.
// The schema is read from the generated deploy/crd/edgedeployment.yaml, so what is tested is what is installed.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Schema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly maxLength?: number;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Drops what the schema does not know, in place, as the API server prunes before it stores. */
function prune(schema: Schema, value: unknown): void {
  if (isObject(value) && schema.properties && !schema['x-kubernetes-preserve-unknown-fields']) {
    for (const key of Object.keys(value)) {
      const sub = schema.properties[key];
      if (sub) prune(sub, value[key]);
      else delete value[key];
    }
  } else if (Array.isArray(value) && schema.items) {
    for (const item of value) prune(schema.items, item);
  }
}

function check(schema: Schema, value: unknown, path: string, errors: string[]): void {
  const t = typeOf(value);
  if (schema.type && !(schema.type === t || (schema.type === 'number' && t === 'integer'))) {
    errors.push(`${path}: Invalid value: "${t}": ${path} in body must be of type ${schema.type}: "${t}"`);
    return;
  }
  if (schema.enum && !schema.enum.includes(value)) {
    errors.push(
      `${path}: Unsupported value: ${JSON.stringify(value)}: supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`,
    );
  }
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(value))
      errors.push(`${path}: Invalid value: ${JSON.stringify(value)}: ${path} in body should match '${schema.pattern}'`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      errors.push(`${path}: Too long: may not be more than ${schema.maxLength} bytes`);
  }
  if (isObject(value)) {
    for (const r of schema.required ?? []) if (value[r] === undefined) errors.push(`${path}.${r}: Required value`);
    for (const [k, sub] of Object.entries(schema.properties ?? {}))
      if (value[k] !== undefined) check(sub, value[k], `${path}.${k}`, errors);
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => check(schema.items!, v, `${path}[${i}]`, errors));
}

/** Prunes `object` (in place) and returns the problems, empty when the server would store it. */
export function validateCustomResource(schema: Schema, object: Record<string, unknown>): string[] {
  prune(schema, object);
  const errors: string[] = [];
  for (const r of schema.required ?? []) if (object[r] === undefined) errors.push(`${r}: Required value`);
  for (const [k, sub] of Object.entries(schema.properties ?? {})) {
    if (k === 'metadata' || object[k] === undefined) continue;
    check(sub, object[k], k, errors);
  }
  return errors;
}

/** The openAPIV3Schema of the (single) served version of a generated CRD file. */
export function crdSchema(file: URL): Schema {
  const crd = parse(readFileSync(file, 'utf8')) as {
    spec: { versions: { schema: { openAPIV3Schema: Schema } }[] };
  };
  return crd.spec.versions[0]!.schema.openAPIV3Schema;
}
