// `edgehub connection-string <module>`: a module's EdgeHubConnectionString, from the data folder alone (module
// keys are derived from the device key, so no hub needs to run). `--device <id>`: a leaf or child edge device's
// connection string, with the key derived for a device listed in edgehubDevices without an explicit key.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  deriveDeviceKey,
  deriveModuleKey,
  formatConnectionString,
  formatDeviceConnectionString,
} from '../manifest/index.js';
import { dataFolder, loadOrCreateDevice } from '../broker/local/data-folder.js';
import { UsageError } from './command.js';
import { flagOrEnv, parseFlags } from './flags.js';

const HELP = `Usage: edgehub connection-string <module> [--data DIR] [--gateway-host NAME] [--export]
       edgehub connection-string --device <id> [--data DIR] [--gateway-host NAME]

Prints the connection string of <module> for a hub using the data folder DIR (EDGEHUB_DATA, default ./data).
  --gateway-host NAME   where the module connects (default localhost; in a cluster: edgehub)
  --export              print shell exports of EdgeHubConnectionString and EdgeModuleCACertificateFile
  --device ID           instead: the connection string of leaf or child edge device ID (list it in the
                        configuration's $edgeHub edgehubDevices as {}: its key is derived from the device key)`;

export function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags({
    args: argv,
    options: {
      data: { type: 'string' },
      'gateway-host': { type: 'string' },
      export: { type: 'boolean' },
      device: { type: 'string' },
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
  if (v.device !== undefined) {
    if (positionals.length > 0 || v.export)
      throw new UsageError(`--device takes no module id and no --export\n\n${HELP}`);
  } else if (moduleId === undefined || extra.length > 0) throw new UsageError(`give exactly one module id\n\n${HELP}`);
  const folder = dataFolder(resolve(flagOrEnv(v.data, 'EDGEHUB_DATA') ?? 'data'));
  if (!existsSync(folder.devicePath)) {
    throw new UsageError(`no device identity in ${folder.dir} (run \`edgehub start --data ${folder.dir}\` once first)`);
  }
  const { device } = loadOrCreateDevice(folder);
  if (v.device !== undefined) {
    console.log(
      formatDeviceConnectionString({
        hostName: device.iothubHostName,
        gatewayHostName: v['gateway-host'] ?? 'localhost',
        deviceId: v.device,
        sharedAccessKey: deriveDeviceKey(device.deviceKey, v.device),
      }),
    );
    return Promise.resolve(0);
  }
  const cs = formatConnectionString({
    hostName: device.iothubHostName,
    gatewayHostName: v['gateway-host'] ?? 'localhost',
    deviceId: device.deviceId,
    moduleId: moduleId!,
    sharedAccessKey: deriveModuleKey(device.deviceKey, moduleId!),
  });
  if (v.export) {
    console.log(`export EdgeHubConnectionString='${cs}'\nexport EdgeModuleCACertificateFile='${folder.caPath}'`);
  } else {
    console.log(cs);
  }
  return Promise.resolve(0);
}
