// A bare aedes 1.x broker in its own process: in-memory persistence, plain pub/sub, Nagle off. It tells its
// parent the port over IPC and exits on SIGTERM or when the parent goes away.
import { createServer } from 'node:net';
import { Aedes } from 'aedes';

const broker = await Aedes.createBroker({ maxClientsIdLength: 256, heartbeatInterval: 3_600_000 });
const server = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  broker.handle(socket);
});

// A connection the broker drops is a failed run; say why on stderr (the orchestrator's stderr). Clients
// closing and the broker shutting down are the normal end of a run, not worth a line.
let stopping = false;
const report = (who: string, err: Error) => {
  if (!stopping && err.message !== 'connection closed') console.error(`aedes: ${who}: ${err.message}`);
};
broker.on('clientError', (client, err) => report(`client ${client.id}`, err));
broker.on('connectionError', (_client, err) => report('connection', err));

function shutdown(): void {
  stopping = true;
  const force = setTimeout(() => process.exit(0), 2000);
  force.unref();
  server.close();
  broker.close(() => process.exit(0));
}

process.once('SIGTERM', shutdown);
process.once('disconnect', shutdown);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});
