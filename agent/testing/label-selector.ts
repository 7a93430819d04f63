// Kubernetes label selectors, as the fake API server evaluates them: `a=b`, `a==b`, `a!=b`, `a`, `!a`,
// `a in (x,y)`, `a notin (x,y)`, joined by commas (all must hold).
type Requirement = (labels: Readonly<Record<string, string>>) => boolean;

function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

function parseTerm(term: string): Requirement {
  let m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  if (m) {
    const [, key, op, list] = m as unknown as [string, string, string, string];
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in' ? (l) => key in l && values.has(l[key]!) : (l) => !(key in l) || !values.has(l[key]!);
  }
  m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (m) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  if (term.startsWith('!')) return (l) => !(term.slice(1) in l);
  if (/^\S+$/.test(term)) return (l) => term in l;
  throw new Error(`unable to parse requirement: ${term}`);
}

/** A predicate over an object's labels; throws on a selector the API server would refuse. */
export function parseLabelSelector(selector: string | null | undefined): Requirement {
  const reqs = splitTerms(selector ?? '').map(parseTerm);
  return (labels) => reqs.every((r) => r(labels));
}
