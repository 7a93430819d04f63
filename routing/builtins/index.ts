// The built-in functions of the edge router (reference §2.12), resolved by name (case-insensitive) and by
// the static types of the arguments, with the reference's rules for `$body` (query) arguments.
import type { StaticType } from '../values.js';
import { CHECKS } from './checks.js';
import { MATH } from './math.js';
import { STRINGS } from './string.js';
import { UNSUPPORTED } from './unsupported.js';

/** A parameter: a static type, or `any` (the reference's AnyArgs). */
export type ParamType = StaticType | 'any';

export interface Overload {
  readonly params: readonly ParamType[];
  /** The last parameter repeats; at least `params.length - 1` arguments (the reference's VarArgs). */
  readonly variadic?: boolean;
  /** `$body` values are accepted for string/number/bool/null parameters; then every argument is passed as a query value. */
  readonly query?: boolean;
  readonly result: StaticType;
  /** The function at run time; method syntax, so each family may type its own parameters. */
  run(this: void, ...args: unknown[]): unknown;
}

export interface Builtin {
  /** Lower case. */
  readonly name: string;
  readonly overloads: readonly Overload[];
}

const QUERY_COMPATIBLE: ReadonlySet<StaticType> = new Set(['string', 'number', 'bool', 'null']);

function matches(param: ParamType, arg: StaticType, query: boolean): boolean {
  if (param === 'any' || param === arg) return true;
  if (!query) return false;
  return (arg === 'query' && QUERY_COMPATIBLE.has(param)) || (param === 'query' && QUERY_COMPATIBLE.has(arg));
}

/** The first overload the arguments fit, in declaration order (as the reference picks its executors). */
export function resolveOverload(b: Builtin, args: readonly StaticType[]): Overload | undefined {
  return b.overloads.find((o) => {
    const query = o.query === true;
    if (o.variadic) {
      const fixed = o.params.length - 1;
      const last = o.params[fixed]!;
      return args.length >= fixed && args.every((a, i) => matches(i < fixed ? o.params[i]! : last, a, query));
    }
    return args.length === o.params.length && args.every((a, i) => matches(o.params[i]!, a, query));
  });
}

const BY_NAME: ReadonlyMap<string, Builtin> = new Map([...MATH, ...CHECKS, ...STRINGS].map((b) => [b.name, b]));

export function findBuiltin(name: string): Builtin | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Why a known function name cannot be used at the edge, if it is one (twin_change_includes, IoT Hub-only functions). */
export function unsupportedReason(name: string): string | undefined {
  return UNSUPPORTED[name.toLowerCase()];
}

export const BUILTIN_NAMES: readonly string[] = [...BY_NAME.keys()];

/** How to call it, for messages: `substring(string, number) or substring(string, number, number)`. */
export function signatures(b: Builtin): string {
  return b.overloads
    .filter((o) => !o.params.includes('any'))
    .map((o) => {
      const params: string[] = o.params.map((p) => (p === 'query' ? '$body value' : p));
      if (o.variadic) params[params.length - 1] = '…';
      return `${b.name}(${params.join(', ')})`;
    })
    .join(' or ');
}
