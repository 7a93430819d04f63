// Example module: a filter. It receives readings on input "input1" and forwards those above a threshold to
// output "output1", marking them with an "alert" property. The threshold is TEMPERATURE_THRESHOLD (default 25).
// Written with the official Azure IoT SDK only; connection settings come from the environment.
import azureDevice from 'azure-iot-device';
import azureMqtt from 'azure-iot-device-mqtt';

const { ModuleClient, Message } = azureDevice;
const threshold = Number(process.env.TEMPERATURE_THRESHOLD ?? 25);

const client = await ModuleClient.fromEnvironment(azureMqtt.Mqtt);
client.on('error', (err) => console.error('filter: client error:', err.message));
await client.open();
console.log(`filter: connected; forwarding readings above ${threshold}`);

client.on('inputMessage', async (inputName, message) => {
  if (inputName !== 'input1') return;
  let reading;
  try {
    reading = JSON.parse(message.getBytes().toString('utf8'));
  } catch {
    console.error('filter: dropped a message that is not JSON');
    return;
  }
  const temperature = reading?.machine?.temperature;
  console.log(`filter: received ${message.messageId ?? '(no id)'} temperature=${temperature}`);
  if (typeof temperature !== 'number' || temperature <= threshold) return;
  const out = new Message(message.getBytes());
  out.contentType = 'application/json';
  out.contentEncoding = 'utf-8';
  out.properties.add('alert', 'temperature');
  try {
    await client.sendOutputEvent('output1', out);
    console.log(`filter: forwarded ${temperature} to output1`);
  } catch (err) {
    console.error('filter: forward failed:', err.message);
  }
});

process.on('SIGINT', async () => {
  await client.close();
  process.exit(0);
});
