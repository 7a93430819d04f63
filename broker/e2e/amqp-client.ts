// A raw AMQP 1.0 client (rhea 3) for tests that do what the SDK never would: put-tokens by hand, links to any
// address, thousands of links. Every wait is bounded.
import { randomUUID } from 'node:crypto';
import rhea, {
  type Connection,
  type EventContext,
  type Message as RheaMessage,
  type Receiver,
  type Sender,
} from 'rhea';

export interface AmqpErrorInfo {
  readonly condition?: string;
  readonly description?: string;
}

/** How a link attach ended: open, or detached by the hub with an error. */
export type LinkResult = { readonly open: true } | { readonly open: false; readonly error: AmqpErrorInfo | undefined };

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function linkError(link: Sender | Receiver): AmqpErrorInfo | undefined {
  return link.error as AmqpErrorInfo | undefined;
}

export class AmqpTestClient {
  /** Set once the connection ended: the hub's close error, if it sent one. */
  closed: { error: AmqpErrorInfo | undefined } | undefined;
  private readonly ended: Promise<{ error: AmqpErrorInfo | undefined }>;
  private cbs: { sender: Sender; receiver: Receiver } | undefined;

  private constructor(readonly connection: Connection) {
    this.ended = new Promise((resolve) => {
      const done = (e?: EventContext) => {
        if (this.closed) return;
        this.closed = { error: (e?.connection.error as AmqpErrorInfo | undefined) ?? undefined };
        resolve(this.closed);
      };
      connection.on('connection_close', done);
      connection.on('connection_error', done);
      connection.on('disconnected', () => done());
    });
    // Errors the test looks at through `closed` and LinkResult; none may end the test process.
    connection.on('error', () => {});
    connection.on('protocol_error', () => {});
    connection.on('receiver_error', () => {});
    connection.on('sender_error', () => {});
  }

  /** Connects over TLS trusting `ca`; `sasl` picks the header the client starts with. */
  static async connect(
    port: number,
    ca: string,
    sasl: 'none' | 'anonymous' | 'plain' = 'none',
  ): Promise<AmqpTestClient> {
    const container = rhea.create_container({ id: `test-${randomUUID()}` });
    const connection = container.connect({
      host: '127.0.0.1',
      port,
      transport: 'tls',
      ca,
      reconnect: false,
      ...(sasl === 'anonymous' ? { username: 'anonymous' } : {}),
      ...(sasl === 'plain' ? { username: 'user', password: 'secret' } : {}),
    });
    const client = new AmqpTestClient(connection);
    await within(
      5000,
      'the connection to open',
      new Promise<void>((resolve, reject) => {
        connection.once('connection_open', () => resolve());
        void client.ended.then((c) => reject(new Error(`connection ended: ${JSON.stringify(c.error)}`)));
      }),
    );
    return client;
  }

  /** Sends a put-token on `$cbs` and waits for the reply's status. */
  async putToken(token: string, name: string): Promise<{ status: unknown; description: unknown }> {
    if (!this.cbs) {
      const receiver = this.connection.open_receiver({ source: '$cbs', autoaccept: true });
      const sender = this.connection.open_sender({ target: '$cbs' });
      this.cbs = { sender, receiver };
      await Promise.all([this.opened(sender), this.opened(receiver)]);
    }
    const id = randomUUID();
    const { sender, receiver } = this.cbs;
    const reply = within(
      5000,
      'the put-token reply',
      new Promise<{ status: unknown; description: unknown }>((resolve) => {
        const onMessage = (e: EventContext) => {
          const m = e.message!;
          if (m.correlation_id !== id) return;
          receiver.removeListener('message', onMessage);
          const app = (m.application_properties ?? {}) as Record<string, unknown>;
          resolve({ status: app['status-code'], description: app['status-description'] });
        };
        receiver.on('message', onMessage);
      }),
    );
    sender.send({
      message_id: id,
      to: '$cbs',
      reply_to: 'cbs',
      application_properties: { operation: 'put-token', type: 'servicebus.windows.net:sastoken', name },
      body: token,
    });
    return reply;
  }

  private opened(link: Sender | Receiver): Promise<LinkResult> {
    const sender = link.is_sender();
    return within(
      5000,
      'a link attach',
      new Promise<LinkResult>((resolve) => {
        // rhea reports the attach even when a detach with an error follows at once (protocol.md §4.7): wait a
        // moment before calling the link open.
        link.once(sender ? 'sender_open' : 'receiver_open', () =>
          setTimeout(() => resolve(link.is_open() ? { open: true } : { open: false, error: linkError(link) }), 100),
        );
        link.once(sender ? 'sender_close' : 'receiver_close', () => resolve({ open: false, error: linkError(link) }));
      }),
    );
  }

  /** Attaches a sender to `address` (the client sends). */
  attachSender(address: string): Promise<LinkResult> {
    return this.opened(this.connection.open_sender({ target: address }));
  }

  /** Attaches a receiver from `address` (the client receives). */
  attachReceiver(address: string): Promise<LinkResult> {
    return this.opened(this.connection.open_receiver({ source: address, autoaccept: false }));
  }

  /** Sends one message on a new sender link to `address` and waits for its disposition. */
  async send(address: string, message: Record<string, unknown>): Promise<string> {
    const sender = this.connection.open_sender({ target: address });
    await this.opened(sender);
    return within(
      10_000,
      'a disposition',
      new Promise<string>((resolve) => {
        sender.once('accepted', () => resolve('accepted'));
        sender.once('rejected', (e: EventContext) => {
          const err = (e.delivery?.remote_state as { error?: AmqpErrorInfo } | undefined)?.error;
          resolve(`rejected ${err?.condition ?? ''}`);
        });
        sender.once('released', () => resolve('released'));
        void this.ended.then(() => resolve('connection ended'));
        sender.send(message as unknown as RheaMessage);
      }),
    );
  }

  /** Waits until the hub ends the connection. */
  waitClosed(ms = 5000): Promise<{ error: AmqpErrorInfo | undefined }> {
    return within(ms, 'the hub to close the connection', this.ended);
  }

  close(): void {
    try {
      this.connection.close();
    } catch {
      // already gone
    }
  }
}
