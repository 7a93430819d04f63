import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { Aedes, type Client } from 'aedes';
import { installFastPath } from './fast-path.js';

describe('installFastPath', () => {
  const handlers = { publish: () => true, puback: () => undefined };

  it('takes over the clients of the aedes version in package-lock.json', async () => {
    // If aedes changes the client state the fast path keeps in step with, this fails (and the hub would log
    // mqtt.fast_path.unavailable and let aedes read every packet).
    const broker = await Aedes.createBroker();
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const socket = connect((server.address() as { port: number }).port, '127.0.0.1');
    const [conn] = await accepted;
    try {
      const client = broker.handle(conn);
      assert.equal(installFastPath(client, handlers), true);
    } finally {
      socket.destroy();
      conn.destroy();
      server.close();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    }
  });

  it('leaves a client without that state to aedes', () => {
    const parse = () => 0;
    const client = { _parser: { parse }, connackSent: false } as unknown as Client;
    assert.equal(installFastPath(client, handlers), false);
    assert.equal((client as unknown as { _parser: { parse: unknown } })._parser.parse, parse, 'the parser was wrapped');
  });
});
