// as_number and the type checks is_bool, is_defined, is_null, is_number, is_string (reference §2.12).
import { NULL_STRING, type QValue, type Tri } from '../values.js';
import type { Builtin } from './index.js';

const NUMBER = /^(\()?([+-])?(\d[\d,]*)?(?:\.(\d*))?(?:[eE]([+-]?\d+))?([+-])?(\))?$/;

/**
 * .NET `double.TryParse(s, NumberStyles.Any, InvariantCulture)`: surrounding white space, a leading or
 * trailing sign or parentheses, thousands separators, a decimal point, an exponent, `Infinity`/`NaN`.
 * Overflow gives ±Infinity; anything else unparsable gives NaN (undefined).
 */
export function parseNumber(text: string): number {
  const plain = plainDecimal(text);
  if (plain !== undefined) return plain;
  const s = text.replace(/^[\t-\r ]+|[\t-\r ]+$/g, '');
  const named = /^([+-])?(infinity|nan)$/i.exec(s);
  if (named) return named[2]!.toLowerCase() === 'nan' ? NaN : named[1] === '-' ? -Infinity : Infinity;
  const m = NUMBER.exec(s);
  if (!m) return NaN;
  const [, open, lead, int = '', frac, exp, trail, close] = m;
  if ((open === undefined) !== (close === undefined) || (lead !== undefined && trail !== undefined)) return NaN;
  if (open !== undefined && (lead !== undefined || trail !== undefined)) return NaN;
  if (int === '' && (frac === undefined || frac === '')) return NaN;
  const value = Number(`${int.replace(/,/g, '') || '0'}.${frac ?? ''}e${exp ?? '0'}`);
  return open !== undefined || lead === '-' || trail === '-' ? -value : value;
}

/**
 * `-12`, `3.5`, `.5`: the common case, read without a regex (Number() reads these exactly as .NET does);
 * short integers are summed directly. undefined for anything else.
 */
export function plainDecimal(s: string): number | undefined {
  const n = s.length;
  const negative = n > 0 && s.charCodeAt(0) === 45;
  let digits = 0;
  let dot = false;
  let value = 0;
  for (let i = negative ? 1 : 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      value = value * 10 + (c - 48);
    } else if (c === 46 && !dot) dot = true;
    else return undefined;
  }
  if (digits === 0) return undefined;
  if (dot || digits > 15) return Number(s);
  return negative ? -value : value;
}

function always(result: boolean): { params: ['any']; result: 'bool'; run: () => boolean } {
  return { params: ['any'], result: 'bool', run: () => result };
}

export const CHECKS: readonly Builtin[] = [
  {
    name: 'as_number',
    overloads: [
      {
        params: ['string'],
        query: true,
        result: 'number',
        run: (v: QValue) => (typeof v === 'string' ? parseNumber(v) : typeof v === 'number' ? v : NaN),
      },
      { params: ['number'], result: 'number', run: (v: number) => v },
    ],
  },
  {
    name: 'is_bool',
    overloads: [
      {
        params: ['bool'],
        query: true,
        result: 'bool',
        run: (v: QValue): Tri => (v === undefined ? undefined : typeof v === 'boolean'),
      },
      always(false),
    ],
  },
  {
    name: 'is_defined',
    overloads: [
      { params: ['string'], result: 'bool', run: (v: string | null | undefined) => v !== undefined },
      { params: ['number'], result: 'bool', run: (v: number) => v === v },
      { params: ['bool'], result: 'bool', run: (v: Tri) => v !== undefined },
      { params: ['undefined'], result: 'bool', run: () => false },
      { params: ['null'], result: 'bool', run: () => true },
      // A missing $body path is Null, not undefined, so it is defined (reference quirk, kept: vectors).
      { params: ['query'], result: 'bool', run: (v: QValue) => v !== undefined },
    ],
  },
  {
    name: 'is_null',
    overloads: [
      { params: ['string'], result: 'bool', run: (v: string | null | undefined) => v === null },
      // True for a JSON null, false for a missing path (as the reference) and for other values (the
      // reference says true for every present value: a reference-equality slip we do not copy).
      {
        params: ['query'],
        result: 'bool',
        run: (v: QValue): Tri => (v === undefined ? undefined : v === null || v === NULL_STRING),
      },
      { params: ['null'], result: 'bool', run: () => true },
      always(false),
    ],
  },
  {
    name: 'is_number',
    overloads: [
      {
        params: ['number'],
        query: true,
        result: 'bool',
        run: (v: QValue) => typeof v === 'number' && Number.isFinite(v),
      },
      always(false),
    ],
  },
  {
    name: 'is_string',
    overloads: [
      { params: ['string'], query: true, result: 'bool', run: (v: QValue) => typeof v === 'string' },
      always(false),
    ],
  },
];
