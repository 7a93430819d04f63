// Example module: a simulated temperature sensor. It sends one JSON reading per second on output
// "temperatureOutput". Written with the official Azure IoT SDK and nothing else: it runs unchanged on
// Azure IoT Edge and on edgehub. Connection settings come from the environment, as on any edge device:
// EdgeHubConnectionString and EdgeModuleCACertificateFile (or the IOTEDGE_* workload variables).
import azureDevice from 'azure-iot-device';
import azureMqtt from 'azure-iot-device-mqtt';

const { ModuleClient, Message } = azureDevice;
const interval = Number(process.env.SEND_INTERVAL_MS ?? 1000);
const count = Number(process.env.MESSAGE_COUNT ?? Infinity);

const client = await ModuleClient.fromEnvironment(azureMqtt.Mqtt);
client.on('error', (err) => console.error('sensor: client error:', err.message));
await client.open();
console.log('sensor: connected; sending a reading every', interval, 'ms');

let sent = 0;
let temperature = 20;
const timer = setInterval(async () => {
  temperature += Math.random() * 4 - 1.5;
  const reading = {
    machine: { temperature: Number(temperature.toFixed(2)), pressure: Number((1 + Math.random()).toFixed(3)) },
    timeCreated: new Date().toISOString(),
  };
  const message = new Message(JSON.stringify(reading));
  message.contentType = 'application/json';
  message.contentEncoding = 'utf-8';
  message.messageId = `reading-${sent}`;
  try {
    await client.sendOutputEvent('temperatureOutput', message);
    console.log(`sensor: sent #${sent} temperature=${reading.machine.temperature}`);
  } catch (err) {
    console.error('sensor: send failed:', err.message);
  }
  if (++sent >= count) {
    clearInterval(timer);
    await client.close();
  }
}, interval);

process.on('SIGINT', async () => {
  clearInterval(timer);
  await client.close();
  process.exit(0);
});
