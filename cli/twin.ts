// `edgehub twin get <module>`: a module's twin (desired and reported properties, with their versions), read from
// the running hub through its control socket.
import { UsageError } from './command.js';
import { callControl, controlSocket, errorText } from './control-client.js';
import { parseFlags } from './flags.js';

const HELP = `Usage: edgehub twin get <module> [--data DIR]

Prints the twin of <module> as JSON ({desired, reported}, each with $version), from the hub running on the data
folder DIR (EDGEHUB_DATA, default ./data). Desired properties come from the configuration file
(modulesContent.<module>["properties.desired"]); reported properties are what the module patched.`;

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags({
    args: argv,
    options: { data: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const [verb, moduleId, ...extra] = positionals;
  if (verb !== 'get' || moduleId === undefined || extra.length > 0)
    throw new UsageError(`give: get <module>\n\n${HELP}`);
  const answer = await callControl(controlSocket(v.data), 'GET', `/twins/${encodeURIComponent(moduleId)}`);
  if (answer.status !== 200) {
    console.error(`edgehub twin get: ${errorText(answer)}`);
    return 1;
  }
  console.log(JSON.stringify(answer.body, null, 2));
  return 0;
}
