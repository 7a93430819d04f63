// `$body` queries (reference §2.11): the body is decoded and parsed lazily, once per message, and only when a
// query runs; every failure (content type, encoding, invalid JSON, not an object) makes queries undefined.
import type { EvalContext } from './context.js';
import { equalsIgnoreCase, lookup, MISSING, type QValue } from './values.js';

export interface BodyStep {
  /** A JSON property name; `*` takes every property of an object. */
  readonly name: string;
  readonly index?: number;
}
export interface BodyPath {
  /** As written after `$body.`. */
  readonly text: string;
  readonly steps: readonly BodyStep[];
}

/** Validates a path as the reference's JsonPath.g4 does: `a.b[0].c`, each name with at most one `[n]`. */
export function parseBodyPath(text: string): { ok: true; path: BodyPath } | { ok: false; detail: string } {
  if (text === '') return { ok: false, detail: '$body needs a path after the dot, as in $body.temperature' };
  const steps: BodyStep[] = [];
  for (const part of text.split('.')) {
    const m = /^([^[\]]+)(?:\[(\d+)\])?$/.exec(part);
    if (!m) {
      const why =
        part === ''
          ? 'an empty name (two dots, or a dot at the end)'
          : /\[\s*\]/.test(part) || /\[[^\]]*[^\d\]][^\]]*\]/.test(part)
            ? `'${part}': an index is a whole number in brackets, as in values[0] (no slices, no names)`
            : `'${part}': a name may be followed by one [index] only`;
      return { ok: false, detail: `invalid $body path '${text}': ${why}` };
    }
    steps.push(m[2] === undefined ? { name: m[1]! } : { name: m[1]!, index: Number(m[2]) });
  }
  return { ok: true, path: { text, steps } };
}

const utf8 = new TextDecoder('utf-8');
const utf16 = new TextDecoder('utf-16le');

function decodeUtf32(bytes: Uint8Array): string {
  let out = '';
  const n = bytes.length - (bytes.length % 4);
  for (let i = 0; i < n; i += 4) {
    const cp = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0;
    out += cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
  }
  return n < bytes.length ? `${out}\ufffd` : out;
}

/** Body text for a supported encoding (utf-8, utf-16 and utf-32 little-endian), else undefined. */
export function decodeBody(bytes: Uint8Array, encoding: string): string | undefined {
  if (equalsIgnoreCase(encoding, 'utf-8')) return utf8.decode(bytes);
  if (equalsIgnoreCase(encoding, 'utf-16')) return utf16.decode(bytes);
  if (equalsIgnoreCase(encoding, 'utf-32')) return decodeUtf32(bytes);
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parse(c: EvalContext): void {
  c.bodyState = 2;
  const m = c.message;
  if (m === undefined) return;
  const type = lookup(m.systemProperties, 'contentType');
  const encoding = lookup(m.systemProperties, 'contentEncoding');
  if (typeof type !== 'string' || !equalsIgnoreCase(type, 'application/json') || typeof encoding !== 'string') return;
  const text = decodeBody(m.body, encoding);
  if (text === undefined) return;
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return;
  }
  if (!isObject(root)) return;
  c.root = root;
  c.bodyState = 1;
}

/** Runs a query against the message in `c`, parsing its body on first use. */
export function queryBody(c: EvalContext, path: BodyPath): QValue {
  if (c.bodyState === 0) parse(c);
  const root = c.root;
  if (c.bodyState !== 1 || root === undefined) return undefined;
  let cur: unknown = root;
  for (const step of path.steps) {
    if (step.name === '*') return wildcard(root, path.steps);
    if (!isObject(cur) || !Object.prototype.hasOwnProperty.call(cur, step.name)) return MISSING;
    cur = cur[step.name];
    if (step.index !== undefined) {
      if (!Array.isArray(cur) || step.index >= cur.length) return MISSING;
      cur = cur[step.index] as unknown;
    }
  }
  return leaf(cur);
}

/** `*` selects every property value of an object: one match is a value, more are not queryable. */
function wildcard(root: Record<string, unknown>, steps: readonly BodyStep[]): QValue {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (!isObject(v)) continue;
      const values =
        step.name === '*' ? Object.values(v) : Object.prototype.hasOwnProperty.call(v, step.name) ? [v[step.name]] : [];
      for (const x of values) {
        if (step.index === undefined) next.push(x);
        else if (Array.isArray(x) && step.index < x.length) next.push(x[step.index]);
      }
    }
    current = next;
  }
  return current.length === 0 ? MISSING : current.length > 1 ? undefined : leaf(current[0]);
}

/** A JSON value as a query value: objects and arrays are not queryable, nor are strings the parser takes for dates. */
function leaf(v: unknown): QValue {
  switch (typeof v) {
    case 'number':
    case 'boolean':
      return v;
    case 'string':
      return looksLikeDate(v) ? undefined : v;
    default:
      return v === null ? null : undefined;
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,7})?(?:[zZ]|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Newtonsoft.Json (the reference's parser) turns ISO-8601 date-times and `/Date(ms)/` strings into dates,
 * which the router cannot compare: such strings are undefined (reference §2.11, BodyQueryTest).
 */
export function looksLikeDate(s: string): boolean {
  if (s.startsWith('/Date(')) return /^\/Date\(-?\d+(?:[+-]\d{4})?\)\/$/.test(s);
  if (s.length < 19 || s.length > 40 || s[10] !== 'T') return false;
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const days = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= days &&
    minute < 60 &&
    second < 60 &&
    (hour < 24 || (hour === 24 && minute === 0 && second === 0))
  );
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
