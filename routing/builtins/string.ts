// concat, length, lower, upper, substring, index_of, starts_with, ends_with, contains: strings (or `$body`
// strings) in; undefined for missing, null-valued or non-string arguments. Comparisons are ordinal.
import { NULL_STRING, type QValue } from '../values.js';
import type { Builtin } from './index.js';

function isString(v: QValue): v is string {
  return typeof v === 'string';
}

/** Invariant-culture simple case mapping: one character stays one character (`ß` keeps its length). */
export function mapCase(s: string, upper: boolean): string {
  const whole = upper ? s.toUpperCase() : s.toLowerCase();
  if (whole.length === s.length) return whole;
  let out = '';
  for (const ch of s) {
    const m = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += m.length === ch.length ? m : ch;
  }
  return out;
}

/** A whole number of UTF-16 units from a double, as the reference's `(int)` cast truncates. */
function validStart(s: string, start: QValue, inclusiveEnd: boolean): start is number {
  return typeof start === 'number' && start >= 0 && (inclusiveEnd ? start <= s.length : start < s.length);
}

// One function each (not one closure made three times): each call site then stays monomorphic and inlines.
function startsWith(s: QValue, part: QValue): boolean | undefined {
  return isString(s) && isString(part) ? s.startsWith(part) : undefined;
}
function endsWith(s: QValue, part: QValue): boolean | undefined {
  return isString(s) && isString(part) ? s.endsWith(part) : undefined;
}
function contains(s: QValue, part: QValue): boolean | undefined {
  return isString(s) && isString(part) ? s.includes(part) : undefined;
}

function test(name: string, run: (s: QValue, part: QValue) => boolean | undefined): Builtin {
  return { name, overloads: [{ params: ['string', 'string'], query: true, result: 'bool', run }] };
}

export function concat(...parts: QValue[]): string | undefined {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else if (p !== NULL_STRING) return undefined; // a null-valued property counts as ''
  }
  return out;
}

export const STRINGS: readonly Builtin[] = [
  {
    name: 'concat',
    overloads: [{ params: ['string', 'string', 'string'], variadic: true, query: true, result: 'string', run: concat }],
  },
  {
    name: 'length',
    overloads: [
      { params: ['string'], query: true, result: 'number', run: (s: QValue) => (isString(s) ? s.length : NaN) },
    ],
  },
  {
    name: 'lower',
    overloads: [
      {
        params: ['string'],
        query: true,
        result: 'string',
        run: (s: QValue) => (isString(s) ? mapCase(s, false) : undefined),
      },
    ],
  },
  {
    name: 'upper',
    overloads: [
      {
        params: ['string'],
        query: true,
        result: 'string',
        run: (s: QValue) => (isString(s) ? mapCase(s, true) : undefined),
      },
    ],
  },
  {
    name: 'substring',
    overloads: [
      {
        params: ['string', 'number'],
        query: true,
        result: 'string',
        run: (s: QValue, start: QValue) =>
          isString(s) && validStart(s, start, true) ? s.substring(Math.trunc(start)) : undefined,
      },
      {
        params: ['string', 'number', 'number'],
        query: true,
        result: 'string',
        run: (s: QValue, start: QValue, length: QValue) =>
          isString(s) &&
          validStart(s, start, false) &&
          typeof length === 'number' &&
          length >= 0 &&
          length <= s.length - start
            ? s.substr(Math.trunc(start), Math.trunc(length))
            : undefined,
      },
    ],
  },
  {
    name: 'index_of',
    overloads: [
      {
        params: ['string', 'string'],
        query: true,
        result: 'number',
        run: (s: QValue, part: QValue) => (isString(s) && isString(part) ? s.indexOf(part) : NaN),
      },
    ],
  },
  test('starts_with', startsWith),
  test('ends_with', endsWith),
  test('contains', contains),
];
