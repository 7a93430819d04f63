// `edgehub connection-string <module>`: a module's EdgeHubConnectionString, from the data folder alone (module
// keys are derived from the device key, so no hub needs to run).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { deriveModuleKey, formatConnectionString } from '../manifest/index.js';
import { dataFolder, loadOrCreateDevice } from '../broker/local/data-folder.js';
import { UsageError } from './command.js';
import { flagOrEnv, parseFlags } from './flags.js';

const HELP = `Usage: edgehub connection-string <module> [--data DIR] [--gateway-host NAME] [--export]

Prints the connection string of <module> for a hub using the data folder DIR (EDGEHUB_DATA, default ./data).
  --gateway-host NAME   where the module connects (default localhost; in a cluster: edgehub)
  --export              print shell exports of EdgeHubConnectionString and EdgeModuleCACertificateFile`;

export function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags({
    args: argv,
    options: {
      data: { type: 'string' },
      'gateway-host': { type: 'string' },
      export: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (v.help) {
    console.log(HELP);
    return Promise.resolve(0);
  }
  const [moduleId, ...extra] = positionals;
  if (moduleId === undefined || extra.length > 0) throw new UsageError(`give exactly one module id\n\n${HELP}`);
  const folder = dataFolder(resolve(flagOrEnv(v.data, 'EDGEHUB_DATA') ?? 'data'));
  if (!existsSync(folder.devicePath)) {
    throw new UsageError(`no device identity in ${folder.dir} (run \`edgehub start --data ${folder.dir}\` once first)`);
  }
  const { device } = loadOrCreateDevice(folder);
  const cs = formatConnectionString({
    hostName: device.iothubHostName,
    gatewayHostName: v['gateway-host'] ?? 'localhost',
    deviceId: device.deviceId,
    moduleId,
    sharedAccessKey: deriveModuleKey(device.deviceKey, moduleId),
  });
  if (v.export) {
    console.log(`export EdgeHubConnectionString='${cs}'\nexport EdgeModuleCACertificateFile='${folder.caPath}'`);
  } else {
    console.log(cs);
  }
  return Promise.resolve(0);
}
