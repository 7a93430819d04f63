// The configuration `npm start` writes on first start: the classic sensor → filter → upstream device, so the
// example modules in examples/ work against a fresh hub with no other setup.
export function sampleManifest(): object {
  return {
    modulesContent: {
      $edgeAgent: {
        'properties.desired': {
          schemaVersion: '1.1',
          runtime: { type: 'docker', settings: {} },
          systemModules: {
            edgeAgent: { type: 'docker', settings: { image: 'edgehub:latest', createOptions: '{}' } },
            edgeHub: {
              type: 'docker',
              status: 'running',
              restartPolicy: 'always',
              settings: { image: 'edgehub:latest', createOptions: '{}' },
            },
          },
          modules: {
            sensor: {
              version: '1.0',
              type: 'docker',
              status: 'running',
              restartPolicy: 'always',
              settings: { image: 'edgehub-example-sensor:latest', createOptions: '{}' },
            },
            filter: {
              version: '1.0',
              type: 'docker',
              status: 'running',
              restartPolicy: 'always',
              settings: { image: 'edgehub-example-filter:latest', createOptions: '{}' },
            },
          },
        },
      },
      $edgeHub: {
        'properties.desired': {
          schemaVersion: '1.1',
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
          storeAndForwardConfiguration: { timeToLiveSecs: 7200 },
        },
      },
      filter: { 'properties.desired': { TemperatureThreshold: 25 } },
    },
  };
}
