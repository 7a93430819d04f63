// The typed form of a condition: every node knows its static type and which rule applies, so the compiler
// and the interpreter have no decisions left to make (typecheck.ts builds it from the syntax tree).
import type { BodyPath } from './body.js';
import type { Overload } from './builtins/index.js';
import type { ArithOp, Cmp, StaticType } from './values.js';

/** How AND, OR and NOT treat their operands: three-valued bools, `$body` values, or the null rules. */
export type LogicMode = 'tri' | 'query' | 'null';

export type Ir =
  | { readonly op: 'const'; readonly type: StaticType; readonly value: unknown }
  /** A property of one bag: `name` (application) or `{$name}` (system). */
  | { readonly op: 'prop'; readonly type: 'string'; readonly bag: 'app' | 'sys'; readonly key: string }
  /** `$name`: the application property `$name` if present, else the system property `name`. */
  | { readonly op: 'appOrSys'; readonly type: 'string'; readonly app: string; readonly sys: string }
  | { readonly op: 'body'; readonly type: 'query'; readonly path: BodyPath }
  /** `$body.path`: the application property literally named so if present, else the body query. */
  | { readonly op: 'appOrBody'; readonly type: 'query'; readonly app: string; readonly path: BodyPath }
  | { readonly op: 'toQuery'; readonly type: 'query'; readonly from: StaticType; readonly arg: Ir }
  | { readonly op: 'neg'; readonly type: 'number' | 'query'; readonly arg: Ir }
  | {
      readonly op: 'arith';
      readonly type: 'number' | 'query';
      readonly arith: ArithOp;
      readonly left: Ir;
      readonly right: Ir;
    }
  | {
      readonly op: 'cmp';
      readonly type: 'bool';
      /** The type both operands have (after conversion to query values when one side is `$body`). */
      readonly operand: StaticType;
      readonly cmp: Cmp;
      readonly left: Ir;
      readonly right: Ir;
    }
  | {
      readonly op: 'and' | 'or';
      readonly type: 'bool' | 'null';
      readonly mode: LogicMode;
      readonly left: Ir;
      readonly right: Ir;
    }
  | { readonly op: 'not'; readonly type: 'bool'; readonly mode: 'tri' | 'query'; readonly arg: Ir }
  | { readonly op: 'coalesce'; readonly type: StaticType; readonly left: Ir; readonly right: Ir }
  | {
      readonly op: 'call';
      readonly type: StaticType;
      readonly name: string;
      readonly fn: Overload;
      readonly args: readonly Ir[];
    };

/** Does evaluating this read the body? (The table parses a body only for routes that do.) */
export function readsBody(ir: Ir): boolean {
  switch (ir.op) {
    case 'body':
    case 'appOrBody':
      return true;
    case 'const':
    case 'prop':
    case 'appOrSys':
      return false;
    case 'toQuery':
    case 'neg':
    case 'not':
      return readsBody(ir.arg);
    case 'call':
      return ir.args.some(readsBody);
    default:
      return readsBody(ir.left) || readsBody(ir.right);
  }
}
