// Conditions that parse, but not as they read (reference §2.3): the lexer glues `!`, quotes and operators
// into property names (`key1!`, `'a'||'b'`, `-x`, `3-4`), and only lower-case `true` is a literal. The reference silently looks those
// properties up (they are always missing); edgehub refuses them in strict mode.
import type { Expr } from './ast.js';
import type { Finding } from './errors.js';

function problem(name: string): string | undefined {
  if (/^(true|false|null|undefined)$/i.test(name)) {
    return `'${name}' is read as a property name: the literal is lower-case ${name.toLowerCase()}`;
  }
  if (name.startsWith("'")) {
    return `'${name}' is read as one property name: put spaces around operators and after closing quotes`;
  }
  const keyword = /^-?[\d.]+(and|or)(?![a-z\d_])/i.exec(name);
  if (keyword) return `'${name}' is read as one property name: put spaces around ${keyword[1]!.toUpperCase()}`;
  if (/^[-+]./.test(name) || /^\d+[-+*/%]/.test(name)) {
    return `'${name}' is read as one property name: put spaces around '${/[-+*/%]/.exec(name)![0]}'`;
  }
  if (name.endsWith('!')) {
    return `'${name}' is read as a property name ending in '!': write ${name.slice(0, -1)} != … with spaces`;
  }
  return undefined;
}

/** Every pitfall in the tree, in text order. */
export function findPitfalls(e: Expr | undefined): Finding[] {
  const out: Finding[] = [];
  const walk = (x: Expr): void => {
    switch (x.kind) {
      case 'property': {
        const detail = problem(x.name);
        if (detail !== undefined) out.push({ code: 'EH_ROUTE_PITFALL', phase: 'parse', span: x.span, detail });
        return;
      }
      case 'call':
        x.args.forEach(walk);
        return;
      case 'unary':
        walk(x.operand);
        return;
      case 'binary':
        walk(x.left);
        walk(x.right);
        return;
      default:
        return;
    }
  };
  if (e !== undefined) walk(e);
  return out;
}
