// `edgehub manifest validate <file>` checks a deployment manifest; `edgehub manifest render <file>` prints
// every object the agent would apply for it, as YAML, without a cluster (like `helm template`).
import { formatIssues, hasErrors, validateManifest } from '../manifest/index.js';
import { buildEdgeDeployment } from '../agent/crd/build.js';
import { KIND } from '../agent/crd/types.js';
import { DEFAULT_HUB_IMAGE } from '../agent/plan/hub-args.js';
import { renderEdgeDeployment } from '../agent/render.js';
import { UsageError } from './command.js';
import { deviceFromFlags, readDocument, SETTINGS_FLAGS, SETTINGS_HELP } from './deploy.js';
import { parseFlags } from './flags.js';

const HELP = `Usage: edgehub manifest <command> <file> [options]

Commands:
  validate <file>   Validate a deployment manifest (deployment.json, the az CLI shape, or modulesContent):
                    $edgeAgent, $edgeHub and the module desired properties. Prints each issue with its
                    JSON path; warnings name what is ignored. Exit status: 0 valid, 1 invalid, 2 usage.
  render <file>     Print, as multi-document YAML, every object the agent would apply for the manifest
                    (or for an EdgeDeployment YAML file), without a cluster. The device key, CA and hub
                    certificate are generated for the rendering (throwaway) unless --device-key is given.
                    Exit status: 0 rendered, 1 invalid, 2 usage.

${SETTINGS_HELP}

Options:
  --device-key <base64>   (render) Use this device key instead of a throwaway one.
  -h, --help              Show this help.
`;

/** Async only to fit the command interface; everything here is synchronous. */
export function run(argv: string[]): Promise<number> {
  return Promise.resolve().then(() => runManifest(argv));
}

function runManifest(argv: string[]): number {
  const { values, positionals } = parseFlags({
    args: argv,
    options: { ...SETTINGS_FLAGS, 'device-key': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  const [command, file, ...extra] = positionals;
  if (values.help === true || command === 'help') {
    console.log(HELP);
    return 0;
  }
  if (command !== 'validate' && command !== 'render') {
    throw new UsageError(
      command === undefined ? 'which command? validate or render (see --help)' : `unknown command "${command}"`,
    );
  }
  if (file === undefined || extra.length > 0) throw new UsageError(`${command} takes one file`);
  const doc = readDocument(file);
  if (command === 'validate') return validate(file, doc);
  return render(doc, values);
}

function validate(file: string, doc: unknown): number {
  // An EdgeDeployment carries the manifest's modulesContent in its spec.
  const spec =
    (doc as { kind?: unknown; spec?: { modulesContent?: unknown } } | null)?.kind === KIND
      ? (doc as { spec?: { modulesContent?: unknown } }).spec
      : undefined;
  const r = validateManifest(spec ? { modulesContent: spec.modulesContent } : doc);
  if (r.issues.length > 0) console.log(formatIssues(r.issues));
  if (!hasErrors(r.issues)) {
    const modules = r.ok ? (r.value.edgeAgent?.modules.length ?? 0) : 0;
    console.log(
      `${file}: valid (${modules} module${modules === 1 ? '' : 's'}, ${r.ok ? r.value.edgeHub.routes.length : 0} routes)`,
    );
    return 0;
  }
  return 1;
}

function render(doc: unknown, values: Parameters<typeof deviceFromFlags>[0] & { 'device-key'?: string }): number {
  const isEdgeDeployment = (doc as { kind?: unknown } | null)?.kind === KIND;
  let ed: Record<string, unknown> | undefined;
  if (isEdgeDeployment) {
    ed = doc as Record<string, unknown>;
    const meta = (ed.metadata ?? {}) as Record<string, unknown>;
    if (values.namespace) ed = { ...ed, metadata: { ...meta, namespace: values.namespace } };
    else if (!meta.namespace) throw new UsageError('the EdgeDeployment has no namespace; give --namespace');
  } else {
    ed = buildEdgeDeployment(doc, deviceFromFlags(values));
    if (!ed) {
      console.error('not a deployment manifest: expected {"modulesContent": {"$edgeAgent": …, "$edgeHub": …}}');
      return 1;
    }
  }
  const r = renderEdgeDeployment(ed, {
    hubImage: DEFAULT_HUB_IMAGE,
    ...(values['device-key'] ? { deviceKey: values['device-key'] } : {}),
  });
  if (r.issues.length > 0) console.error(formatIssues(r.issues));
  if (!r.ok) return 1;
  process.stdout.write(r.yaml);
  return 0;
}
