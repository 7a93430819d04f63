// All four SDK transports through one hub: Mqtt and Amqp on their TLS ports, MqttWs and AmqpWs as WebSocket
// upgrades at /$iothub/websocket on the HTTPS listener, which answers other requests with JSON 404s.
// The SDK dials port 443 for WebSockets whatever the connection string says. The main suite runs the hub on a free
// port and gives the WebSocket clients a `webSocketAgent` that dials it; as root (CI), one more test binds 443
// itself and connects without any agent, exactly as an unmodified module would.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { Inbox, manifest, Message, sleep, TestHub, type SdkModuleClient, type Transport } from './harness.js';

// A ring: each module forwards what it gets to the next, over another transport.
const RING: readonly [string, Transport][] = [
  ['a', 'mqttws'],
  ['b', 'amqpws'],
  ['c', 'mqtt'],
  ['d', 'amqp'],
];
const ROUTES = Object.fromEntries(
  RING.map(([id], i) => [
    `${id}ToNext`,
    `FROM /messages/modules/${id}/outputs/out INTO BrokeredEndpoint("/modules/${RING[(i + 1) % RING.length]![0]}/inputs/in")`,
  ]),
);

/** Sends a message round the ring: a → b → c → d → a, each hop a different transport; returns what a got. */
async function roundTrip(hub: TestHub): Promise<{ body: string; hops: string | undefined; messageId: string }> {
  const clients: SdkModuleClient[] = [];
  try {
    for (const [id, transport] of RING) clients.push(await hub.module(id, { transport }));
    const inboxes = clients.map((c) => new Inbox(c));
    await sleep(300);
    // b, c and d forward what arrives, adding their name to the `hops` property.
    clients.forEach((c, i) => {
      if (i === 0) return;
      c.on('inputMessage', (_input: string, m: InstanceType<typeof Message>) => {
        const next = new Message(m.getBytes());
        next.messageId = m.messageId;
        next.properties.add('hops', `${m.properties.getValue('hops')},${RING[i]![0]}`);
        void c.complete(m).then(() => c.sendOutputEvent('out', next));
      });
    });
    const first = new Message('round the ring');
    first.messageId = 'ring-1';
    first.properties.add('hops', 'a');
    await clients[0]!.sendOutputEvent('out', first);
    await inboxes[0]!.waitFor(1);
    const got = inboxes[0]!.messages[0]!.message;
    await clients[0]!.complete(got);
    return {
      body: got.getBytes().toString(),
      hops: got.properties.getValue('hops') as string,
      messageId: got.messageId,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  }
}

function get(port: number, path: string, ca: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('WebSockets and all four transports through one hub', () => {
  let hub: TestHub;
  before(async () => {
    hub = await TestHub.start(manifest(['a', 'b', 'c', 'd'], ROUTES), { httpsPort: 0 });
  });
  after(() => hub.stop());

  it('carries a message round Mqtt, MqttWs, Amqp and AmqpWs modules', async () => {
    assert.deepEqual(await roundTrip(hub), { body: 'round the ring', hops: 'a,b,c,d', messageId: 'ring-1' });
  });

  it('answers plain HTTPS requests with a JSON 404, and refuses other upgrade paths', async () => {
    const r = await get(hub.hub.ports.https!, '/twins/dev/modules/x/methods', hub.ca);
    assert.equal(r.status, 404);
    assert.equal(r.type, 'application/json; charset=utf-8');
    assert.match((JSON.parse(r.body) as { message: string }).message, /no route for GET \/twins/);
    const ws = await fetchUpgrade(hub.hub.ports.https!, '/elsewhere', 'mqtt', hub.ca);
    assert.match(ws, /^HTTP\/1.1 404/);
    const proto = await fetchUpgrade(hub.hub.ports.https!, '/$iothub/websocket', 'chat', hub.ca);
    assert.match(proto, /^HTTP\/1.1 400/);
  });

  it('binds 443 and serves SDK WebSocket clients with no agent (root only)', async (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('binding port 443 needs root (CI runs as root)');
      return;
    }
    const on443 = await TestHub.start(manifest(['a', 'b', 'c', 'd'], ROUTES), { httpsPort: 443 });
    try {
      assert.equal(on443.hub.ports.https, 443);
      assert.deepEqual(await roundTrip(on443), { body: 'round the ring', hops: 'a,b,c,d', messageId: 'ring-1' });
    } finally {
      await on443.stop();
    }
  });
});

/** Sends a WebSocket upgrade request and returns the first line of the answer. */
async function fetchUpgrade(port: number, path: string, protocol: string, ca: string): Promise<string> {
  const { connect } = await import('node:tls');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca }, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
      );
    });
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\r\n')) {
        socket.destroy();
        resolve(text.split('\r\n')[0]!);
      }
    });
    socket.on('error', reject);
  });
}
