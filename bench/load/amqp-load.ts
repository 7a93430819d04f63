// AMQP load for the amqp scenario, run as its own process: one rhea connection publishing to a module's events
// address with `window` messages unsettled at a time (each released by the hub's `accepted`, i.e. after its store
// commit), and one receiving on another module's input link, accepting every message. Both authenticate with a CBS
// put-token, as the SDK does. After the warm-up it counts for `measureMs` and prints one JSON line.
//   node --import tsx bench/load/amqp-load.ts '<JSON of AmqpLoadSpec>'
import { randomUUID } from 'node:crypto';
import rhea, { type Connection, type EventContext, type Receiver, type Sender } from 'rhea';

export interface AmqpLoadSpec {
  readonly host: string;
  readonly port: number;
  readonly sender: { readonly address: string; readonly token: string; readonly audience: string };
  readonly receiver: { readonly address: string; readonly token: string; readonly audience: string };
  readonly output: string;
  readonly size: number;
  readonly window: number;
  readonly warmupMs: number;
  readonly measureMs: number;
}

export interface AmqpLoadResult {
  readonly delivered: number;
  readonly accepted: number;
  readonly latencyP50Ms: number | undefined;
  readonly latencyP99Ms: number | undefined;
  readonly cpuCores: number;
}

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))),
  ]).finally(() => clearTimeout(t));
}

async function authenticated(spec: AmqpLoadSpec, who: AmqpLoadSpec['sender']): Promise<Connection> {
  const container = rhea.create_container({ id: `bench-${randomUUID()}` });
  // No Nagle: a sender-only rhea connection leaves it on, and each window then waits for delayed ACKs.
  const options = { host: spec.host, port: spec.port, reconnect: false, tcp_no_delay: true };
  const connection = container.connect(options);
  connection.on('error', (e: Error) => fail(e.message));
  connection.on('disconnected', () => fail('the hub closed an AMQP connection'));
  const replies = connection.open_receiver({ source: '$cbs' });
  const requests = connection.open_sender({ target: '$cbs' });
  await within(
    10_000,
    'the put-token reply',
    new Promise<void>((resolve, reject) => {
      replies.once('message', (e: EventContext) => {
        const status = (e.message?.application_properties as Record<string, unknown> | undefined)?.['status-code'];
        if (status === 200) resolve();
        else reject(new Error(`put-token refused: ${String(status)}`));
      });
      requests.once('sendable', () =>
        requests.send({
          message_id: randomUUID(),
          reply_to: 'cbs',
          application_properties: {
            operation: 'put-token',
            type: 'servicebus.windows.net:sastoken',
            name: who.audience,
          },
          body: who.token,
        }),
      );
    }),
  );
  return connection;
}

function fail(why: string): never {
  console.error(`amqp-load: ${why}`);
  process.exit(1);
}

function quantile(sorted: Float64Array, q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main(spec: AmqpLoadSpec): Promise<void> {
  const pubConn = await authenticated(spec, spec.sender);
  const subConn = await authenticated(spec, spec.receiver);
  let delivered = 0;
  let accepted = 0;
  let measuring = false;
  const latencies: number[] = [];
  const receiver: Receiver = subConn.open_receiver({
    source: spec.receiver.address,
    autoaccept: false,
    credit_window: 1000,
  });
  receiver.on('message', (e: EventContext) => {
    e.delivery?.accept();
    delivered++;
    if (!measuring) return;
    const body = (e.message?.body as { content?: Buffer } | undefined)?.content;
    if (body && body.length >= 8) latencies.push(Number(process.hrtime.bigint() - body.readBigUInt64BE(0)) / 1e6);
  });
  await within(10_000, 'the input link', new Promise<void>((r) => receiver.once('receiver_open', () => r())));

  const sender: Sender = pubConn.open_sender({ target: spec.sender.address });
  const payload = Buffer.alloc(Math.max(8, spec.size), 0x61);
  let inflight = 0;
  const pump = () => {
    while (inflight < spec.window && sender.sendable()) {
      const body = Buffer.from(payload);
      body.writeBigUInt64BE(process.hrtime.bigint(), 0);
      sender.send({
        body: rhea.message.data_section(body) as unknown,
        application_properties: { 'iothub-outputname': spec.output },
      });
      inflight++;
    }
  };
  sender.on('accepted', () => {
    inflight--;
    accepted++;
    pump();
  });
  sender.on('rejected', () => fail('the hub rejected a message'));
  sender.on('sendable', pump);

  await new Promise((r) => setTimeout(r, spec.warmupMs));
  latencies.length = 0;
  measuring = true;
  const d0 = delivered;
  const a0 = accepted;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, spec.measureMs));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const sorted = Float64Array.from(latencies).sort();
  const result: AmqpLoadResult = {
    delivered: (delivered - d0) / seconds,
    accepted: (accepted - a0) / seconds,
    latencyP50Ms: quantile(sorted, 0.5),
    latencyP99Ms: quantile(sorted, 0.99),
    cpuCores: (cpu.user + cpu.system) / 1000 / 1000 / seconds,
  };
  console.log(JSON.stringify(result));
  process.exit(0);
}

if (process.argv[2]) {
  const spec = JSON.parse(process.argv[2]) as AmqpLoadSpec;
  // Bounded: the whole run, with a margin for connecting.
  setTimeout(() => fail('the run took too long'), spec.warmupMs + spec.measureMs + 30_000).unref();
  main(spec).catch((err: Error) => fail(err.message));
}
