// Objects → multi-document YAML, the way `kubectl apply -f` and `helm template` read and write it.
// Deterministic: key order is the order the objects were built in; long strings are never folded.
import { stringify } from 'yaml';

/** One YAML document per object; `header` lines become `#` comments at the top. */
export function toYamlDocuments(objects: readonly unknown[], header: readonly string[] = []): string {
  const comments = header.map((line) => `# ${line}`.trimEnd() + '\n').join('');
  const docs = objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false, singleQuote: true }));
  return comments + docs.map((d) => `---\n${d}`).join('');
}
