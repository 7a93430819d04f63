// What one evaluation of one message knows, shared by every route tested on it: the parsed body (parsed
// lazily, at most once) and whether any application property name starts with `$`.
import type { RoutableMessage } from './message.js';
import { lookupIgnoringCase } from './values.js';

export class EvalContext {
  message: RoutableMessage | undefined = undefined;
  /** 0: body not parsed yet, 1: parsed to a JSON object (`root`), 2: not queryable. */
  bodyState: 0 | 1 | 2 = 0;
  root: Readonly<Record<string, unknown>> | undefined = undefined;
  /** 0: not looked yet, 1: some application property name starts with `$`, 2: none does. */
  dollarNames: 0 | 1 | 2 = 0;

  /** Starts the evaluation of `message` (undefined: done, let go of the message). */
  reset(message: RoutableMessage | undefined): void {
    this.message = message;
    this.bodyState = 0;
    this.root = undefined;
    this.dollarNames = 0;
  }
}

/** An application property named `$…` in any case, looking at the names only if one starts with `$`. */
export function lookupDollarName(
  c: EvalContext,
  bag: Readonly<Record<string, string | null>>,
  key: string,
): string | null | undefined {
  if (c.dollarNames === 0) {
    c.dollarNames = 2;
    for (const k in bag) {
      if (k.charCodeAt(0) === 36) {
        c.dollarNames = 1;
        break;
      }
    }
  }
  return c.dollarNames === 1 ? lookupIgnoringCase(bag, key) : undefined;
}
