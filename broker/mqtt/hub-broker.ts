// aedes, minus its pub/sub for telemetry. After a client's QoS 1 PUBLISH has been authorized (where the hub
// ingests it) and acknowledged, aedes hands the packet to `publish`, which would look for offline subscribers,
// emit it on its bus and match topics, for a message the hub has already stored and routed, and which no MQTT
// client may subscribe to. Packets the hub ingested are marked, and `publish` ends for them at once.
import { Aedes, type AedesOptions, type PublishPacket } from 'aedes';

type Done = (error?: Error) => void;

export class HubBroker extends Aedes {
  /**
   * `takeIngested(packet)` answers whether the hub stored and routed `packet` itself (and forgets it): the
   * authorizePublish hook marks such packets.
   */
  private constructor(
    opts: AedesOptions,
    private readonly takeIngested: (packet: PublishPacket) => boolean,
  ) {
    super(opts);
  }

  static async start(opts: AedesOptions, takeIngested: (packet: PublishPacket) => boolean): Promise<HubBroker> {
    const broker = new HubBroker(opts, takeIngested);
    await broker.listen();
    return broker;
  }

  override publish(packet: PublishPacket, callback: Done): void;
  override publish(packet: PublishPacket, client: unknown, callback: Done): void;
  override publish(packet: PublishPacket, clientOrCallback: unknown, callback?: Done): void {
    if (this.takeIngested(packet)) {
      const done = (typeof clientOrCallback === 'function' ? clientOrCallback : callback) as Done | undefined;
      // aedes continues reading the socket in this callback: run it on the next tick, as its own publish would.
      if (done) process.nextTick(done);
      return;
    }
    (super.publish as (p: PublishPacket, c: unknown, d?: Done) => void)(packet, clientOrCallback, callback);
  }
}
