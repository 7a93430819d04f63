// `edgehub method invoke <module> <method> [payload]`: calls a direct method on a connected module through the
// running hub (its control socket) and prints the module's answer.
import { UsageError } from './command.js';
import { callControl, controlSocket, errorText } from './control-client.js';
import { parseFlags } from './flags.js';

const HELP = `Usage: edgehub method invoke <module> <method> [payload] [--timeout SECONDS] [--data DIR]

Calls <method> on <module> through the hub running on the data folder DIR (EDGEHUB_DATA, default ./data) and
prints the answer as JSON: {"status": <the module's status>, "payload": <its payload>}.
  payload           JSON (default null); quote a string as '"text"'
  --timeout SECONDS how long the module may take to answer (default 30, at most 300)
Exit code 0 when the module answered with a status below 300, 1 otherwise (an error status, not connected,
no handler within the timeout).`;

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags({
    args: argv,
    options: { data: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const [verb, moduleId, methodName, payload, ...extra] = positionals;
  if (verb !== 'invoke' || moduleId === undefined || methodName === undefined || extra.length > 0) {
    throw new UsageError(`give: invoke <module> <method> [payload]\n\n${HELP}`);
  }
  if (payload !== undefined) {
    try {
      JSON.parse(payload);
    } catch (err) {
      throw new UsageError(`payload must be JSON (quote a string as '"text"'): ${(err as Error).message}`);
    }
  }
  const timeout = v.timeout ?? '30';
  if (!/^\d+(\.\d+)?$/.test(timeout) || Number(timeout) <= 0 || Number(timeout) > 300) {
    throw new UsageError(`--timeout must be a number of seconds from 1 to 300, got "${timeout}"`);
  }
  const path = `/methods/${encodeURIComponent(moduleId)}/${encodeURIComponent(methodName)}?timeout=${timeout}`;
  const answer = await callControl(controlSocket(v.data), 'POST', path, payload ?? '');
  if (answer.status !== 200) {
    console.error(`edgehub method invoke: ${errorText(answer)}`);
    return 1;
  }
  console.log(JSON.stringify(answer.body, null, 2));
  const status = (answer.body as { status?: number }).status ?? 500;
  return status < 300 ? 0 : 1;
}
