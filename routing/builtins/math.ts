// abs, exp, power, square, ceiling, floor, sign, sqrt: numbers (or `$body` numbers) in, NaN (undefined) out
// for anything else.
import type { QValue } from '../values.js';
import type { Builtin } from './index.js';

function unary(name: string, f: (x: number) => number): Builtin {
  return {
    name,
    overloads: [
      {
        params: ['number'],
        query: true,
        result: 'number',
        run: (x: QValue) => (typeof x === 'number' ? f(x) : NaN),
      },
    ],
  };
}

/** .NET Math.Pow follows IEEE 754-2008 where JavaScript's `**` does not: 1^y and (-1)^±∞ are 1. */
export function pow(x: number, y: number): number {
  if (x === 1 || (x === -1 && (y === Infinity || y === -Infinity))) return 1;
  return x ** y;
}

export const MATH: readonly Builtin[] = [
  unary('abs', Math.abs),
  unary('exp', Math.exp),
  unary('square', (x) => x * x),
  unary('ceiling', Math.ceil),
  unary('floor', Math.floor),
  unary('sqrt', Math.sqrt),
  // Math.Sign: -1, 0 or 1 (never -0), undefined for NaN.
  unary('sign', (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN)),
  {
    name: 'power',
    overloads: [
      {
        params: ['number', 'number'],
        query: true,
        result: 'number',
        run: (x: QValue, y: QValue) => (typeof x === 'number' && typeof y === 'number' ? pow(x, y) : NaN),
      },
    ],
  },
];
