// The configuration `npm start` writes on first start: the classic sensor → filter → upstream device, so the
// example modules in examples/ work against a fresh hub with no other setup.
import { buildManifest } from '../../manifest/index.js';

export function sampleManifest(): object {
  return buildManifest({
    modules: { sensor: 'edgehub-example-sensor:latest', filter: 'edgehub-example-filter:latest' },
    routes: {
      sensorToFilter:
        'FROM /messages/modules/sensor/outputs/temperatureOutput INTO BrokeredEndpoint("/modules/filter/inputs/input1")',
      filterToUpstream: {
        route: 'FROM /messages/modules/filter/outputs/output1 INTO $upstream',
        priority: 0,
        timeToLiveSecs: 86400,
      },
      hotToUpstream: {
        route: 'FROM /messages/modules/sensor/* WHERE $body.machine.temperature > 90 INTO $upstream',
        priority: 1,
      },
    },
    timeToLiveSecs: 7200,
    desired: { filter: { TemperatureThreshold: 25 } },
  });
}
