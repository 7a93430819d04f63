// Every metric the hub exports. Names, types and labels follow the reference edgeHub (reference/routing.md §5.2)
// where it has them, so existing dashboards and alerts keep working; the hub's own carry the `edgehub_store_`,
// `edgehub_route_` and `edgehub_` prefixes. One registry per hub instance (tests run several hubs in a process).
import { randomUUID } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SystemProperty, type SystemProperties } from '../core/message.js';
import type { WalStats } from '../store/checkpointer.js';
import { BoundedLabel } from './bounded-label.js';
import { ChildCounter, type CounterChild } from './child-counter.js';
import { LogSummary, type LogSummaryChild } from './log-summary.js';

export interface CommonLabels {
  /** The IoT hub host name the device belongs to. */
  readonly iothub: string;
  readonly edgeDevice: string;
}

/** Quantiles of the reference's summaries (its timers, durations and histograms are all summaries). */
const QUANTILES = [0.1, 0.5, 0.9, 0.99];
const SUMMARY = { percentiles: QUANTILES, maxAgeSeconds: 600 };

/** What one delivery updates, cached per (sender, output, endpoint, priority) so no labels are hashed per message. */
export interface DeliveryMetrics {
  readonly sent: CounterChild;
  readonly sendDuration: LogSummaryChild;
  readonly processDuration: LogSummaryChild;
}

/** What one received message updates, cached per (identity, output). */
export interface ReceiveMetrics {
  readonly received: CounterChild;
  readonly size: LogSummaryChild;
  /** The output label as exported (bounded). */
  readonly output: string;
}

export class HubMetrics {
  readonly registry = new Registry();
  /** Bounds client-chosen label values (output names): 200 values of at most 128 characters, 16 K in all. */
  readonly outputs = new BoundedLabel({ limit: 200, maxLength: 128, maxTotal: 16_384 });

  readonly messagesReceived;
  readonly messagesSent;
  readonly messageSize;
  readonly messageSendDuration;
  readonly messageProcessDuration;
  readonly queueLength;
  readonly messagesDropped;
  readonly messagesUnack;
  readonly clientConnectFailed;
  readonly clientConnectSuccess;
  readonly clientDisconnect;
  readonly connectedClients;
  /** Connected-client counts per protocol head, summed into edgehub_connected_clients when scraped. */
  private readonly connectedCounts = new Map<string, () => number>();
  readonly storeSize;
  readonly storeCheckpoints;
  readonly storeWriteHolds;
  readonly storeWriteHoldSeconds;
  readonly storeWriteHoldTimeouts;
  readonly commitBatchSize;
  readonly commitDuration;
  readonly routeEvaluation;
  readonly configReloads;
  readonly labelValuesFolded;
  readonly getTwin;
  readonly reportedProperties;
  readonly directMethods;
  readonly directMethodDuration;

  private readonly edgeDevice: string;

  constructor(
    labels: CommonLabels,
    storeSize: () => number,
    queues: () => readonly { endpointId: string; priority: number; length: number }[],
    walStats: () => WalStats,
  ) {
    this.edgeDevice = labels.edgeDevice;
    const registers = [this.registry];
    this.registry.setDefaultLabels({
      iothub: labels.iothub,
      edge_device: labels.edgeDevice,
      instance_number: randomUUID(),
    });
    this.messagesReceived = new ChildCounter({
      name: 'edgehub_messages_received_total',
      help: 'Messages received from clients',
      labelNames: ['id', 'route_output', 'ms_telemetry'],
      registers,
    });
    this.messagesSent = new ChildCounter({
      name: 'edgehub_messages_sent_total',
      help: 'Messages delivered to an endpoint and acknowledged by it',
      labelNames: ['from', 'to', 'from_route_output', 'to_route_input', 'priority', 'ms_telemetry'],
      registers,
    });
    this.messageSize = new LogSummary({
      name: 'edgehub_message_size_bytes',
      help: 'Size of received messages (properties and body)',
      labelNames: ['id'],
      registers,
      ...SUMMARY,
    });
    this.messageSendDuration = new LogSummary({
      name: 'edgehub_message_send_duration_seconds',
      help: 'Time from handing a message to a receiver to its acknowledgement',
      labelNames: ['from', 'to', 'from_route_output', 'to_route_input'],
      registers,
      ...SUMMARY,
    });
    this.messageProcessDuration = new LogSummary({
      name: 'edgehub_message_process_duration_seconds',
      help: 'Time from accepting a message to its acknowledged delivery',
      labelNames: ['from', 'to', 'priority', 'ms_telemetry'],
      registers,
      ...SUMMARY,
    });
    this.queueLength = new Gauge({
      name: 'edgehub_queue_length',
      help: 'Messages waiting per endpoint and priority',
      labelNames: ['endpoint', 'priority', 'ms_telemetry'],
      registers,
      // Read from the dispatchers when scraped, not updated per message.
      collect() {
        this.reset();
        for (const q of queues())
          this.set({ endpoint: q.endpointId, priority: String(q.priority), ms_telemetry: 'True' }, q.length);
      },
    });
    this.messagesDropped = new Counter({
      name: 'edgehub_messages_dropped_total',
      help: 'Messages dropped, by reason: no_route, ttl_expiry, oversize, rejected (by an AMQP receiver), undeliverable (at ingest), delivery_failed, upstream_refused',
      labelNames: ['reason', 'from', 'from_route_output', 'ms_telemetry'],
      registers,
    });
    this.messagesUnack = new Counter({
      name: 'edgehub_messages_unack_total',
      help: 'Messages not acknowledged to their sender, by reason: storage_failure',
      labelNames: ['reason', 'from', 'from_route_output', 'ms_telemetry'],
      registers,
    });
    this.clientConnectFailed = new Counter({
      name: 'edgehub_client_connect_failed_total',
      help: 'Refused client connections, by identity and reason',
      labelNames: ['id', 'reason', 'ms_telemetry'],
      registers,
    });
    this.clientConnectSuccess = new Counter({
      name: 'edgehub_client_connect_success_total',
      help: 'Accepted client connections',
      labelNames: ['id'],
      registers,
    });
    this.clientDisconnect = new Counter({
      name: 'edgehub_client_disconnect_total',
      help: 'Client disconnections',
      labelNames: ['id'],
      registers,
    });
    const connected = this.connectedCounts;
    this.connectedClients = new Gauge({
      name: 'edgehub_connected_clients',
      help: 'Clients connected now',
      registers,
      // The sum over the protocol heads, read when scraped.
      collect() {
        let n = 0;
        for (const count of connected.values()) n += count();
        this.set(n);
      },
    });
    this.storeSize = new Gauge({
      name: 'edgehub_store_size_bytes',
      help: 'Bytes the store uses on disk (database and write-ahead log)',
      registers,
      collect() {
        this.set(storeSize());
      },
    });
    // The WAL's upkeep (store/checkpointer.ts), read from the store when scraped.
    this.storeCheckpoints = new Counter({
      name: 'edgehub_store_checkpoints_total',
      help: 'WAL checkpoints, by thread: worker (off the event loop) or writer (on it, when a write hold did not begin)',
      labelNames: ['thread'],
      registers,
      collect() {
        const w = walStats();
        this.reset();
        this.inc({ thread: 'worker' }, w.checkpoints);
        this.inc({ thread: 'writer' }, w.catchUps);
      },
    });
    // A total kept by the store, set when scraped.
    const storeTotal = (name: string, help: string, read: (w: WalStats) => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read(walStats()));
        },
      });
    this.storeWriteHolds = storeTotal(
      'edgehub_store_write_holds_total',
      'Write holds: commits paused while the checkpoint worker copies the last WAL frames, so the WAL starts over',
      (w) => w.holds,
    );
    this.storeWriteHoldSeconds = storeTotal(
      'edgehub_store_write_hold_seconds_total',
      'Time commits waited in write holds',
      (w) => w.holdSeconds,
    );
    this.storeWriteHoldTimeouts = storeTotal(
      'edgehub_store_write_hold_timeouts_total',
      'Write holds that ended without the checkpoint worker finishing (stuck or very slow worker; the WAL may grow)',
      (w) => w.holdTimeouts,
    );
    this.commitBatchSize = new Histogram({
      name: 'edgehub_store_commit_batch_size',
      help: 'Messages appended per store transaction (group commit)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096],
      registers,
    });
    this.commitDuration = new Histogram({
      name: 'edgehub_store_commit_duration_seconds',
      help: 'Duration of store transactions',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.routeEvaluation = new Histogram({
      name: 'edgehub_route_evaluation_duration_seconds',
      help: 'Time to evaluate the route table for one message (one message in 16 is timed)',
      buckets: [0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.001],
      registers,
    });
    this.configReloads = new Counter({
      name: 'edgehub_config_reloads_total',
      help: 'Configuration loads, by result: applied or refused',
      labelNames: ['result'],
      registers,
    });
    const outputs = this.outputs;
    this.labelValuesFolded = new Counter({
      name: 'edgehub_label_values_folded_total',
      help: 'Client-chosen label values exported as _other, by label and reason: too_long or too_many',
      labelNames: ['label', 'reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(outputs.folded)) {
          if (n > 0) this.inc({ label: 'route_output', reason }, n);
        }
      },
    });
    // Twins and methods: the reference's names; `source`/`target` is `edgehub` (served by this hub, no upstream).
    this.getTwin = new Counter({
      name: 'edgehub_gettwin_total',
      help: 'Twin reads, by identity',
      labelNames: ['source', 'id', 'ms_telemetry'],
      registers,
    });
    this.reportedProperties = new Counter({
      name: 'edgehub_reported_properties_total',
      help: 'Reported-property updates stored, by identity',
      labelNames: ['target', 'id', 'ms_telemetry'],
      registers,
    });
    this.directMethods = new Counter({
      name: 'edgehub_direct_methods_total',
      help: 'Direct method calls, by caller and target',
      labelNames: ['from', 'to', 'ms_telemetry'],
      registers,
    });
    this.directMethodDuration = new LogSummary({
      name: 'edgehub_direct_method_duration_seconds',
      help: 'Time from a direct method call to its answer (or its 404/504)',
      labelNames: ['from', 'to'],
      registers,
      ...SUMMARY,
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** By identity, then output: no key string is built per message. */
  private readonly receiveCache = new Map<string, Map<string, ReceiveMetrics>>();
  private readonly deliveryCache = new Map<string, DeliveryMetrics>();

  /** A protocol head reports how many clients it has connected. */
  countConnected(head: string, count: () => number): void {
    this.connectedCounts.set(head, count);
  }

  /** The metrics of a message received from identity `id` on `outputName` ('' for none). */
  receiving(id: string, outputName: string): ReceiveMetrics {
    const output = this.outputs.admit(outputName); // bounded, so the cache is too
    let byOutput = this.receiveCache.get(id);
    if (byOutput === undefined) this.receiveCache.set(id, (byOutput = new Map<string, ReceiveMetrics>()));
    let m = byOutput.get(output);
    if (!m) {
      m = {
        received: this.messagesReceived.child({ id, route_output: output, ms_telemetry: 'True' }),
        size: this.messageSize.child({ id }),
        output,
      };
      byOutput.set(output, m);
    }
    return m;
  }

  /**
   * The metrics of a delivery of a message from `senderDevice`/`senderModule` (output `outputName`) through
   * `endpointId` (`$upstream` or `{module}/{input}`) at `priority`. On a hit this builds one key string; the
   * labels (sender id, sink module and input) are derived only when a combination is first seen.
   */
  delivering(
    endpointId: string,
    senderDevice: string,
    senderModule: string | undefined,
    outputName: string,
    priority: number,
  ): DeliveryMetrics {
    const output = this.outputs.value(outputName);
    const key = `${endpointId}\u0000${priority}\u0000${senderDevice}\u0000${senderModule ?? ''}\u0000${output}`;
    let m = this.deliveryCache.get(key);
    if (!m) {
      const from = senderId(senderDevice, senderModule);
      const p = String(priority);
      const sink = this.sinkLabels(endpointId);
      const route = { from, to: sink.to, from_route_output: output, to_route_input: sink.input };
      m = {
        sent: this.messagesSent.child({ ...route, priority: p, ms_telemetry: 'True' }),
        sendDuration: this.messageSendDuration.child(route),
        processDuration: this.messageProcessDuration.child({ from, to: sink.to, priority: p, ms_telemetry: 'True' }),
      };
      this.deliveryCache.set(key, m);
    }
    return m;
  }

  /** Counts a message dropped for `reason`, labelled with its sender and output. */
  dropped(reason: string, sender: SystemProperties): void {
    this.messagesDropped.inc({
      reason,
      from: senderId(sender[SystemProperty.connectionDeviceId] ?? '', sender[SystemProperty.connectionModuleId]),
      from_route_output: this.outputs.value(sender[SystemProperty.outputName] ?? ''),
      ms_telemetry: 'True',
    });
  }

  /** The reference's `to` and `to_route_input` labels of an endpoint. */
  private sinkLabels(endpointId: string): { to: string; input: string } {
    if (endpointId === '$upstream') return { to: 'upstream', input: '' };
    const slash = endpointId.indexOf('/');
    return { to: `${this.edgeDevice}/${endpointId.slice(0, slash)}`, input: endpointId.slice(slash + 1) };
  }

  /** Stops the summaries' window timers. */
  close(): void {
    this.messageSize.close();
    this.messageSendDuration.close();
    this.messageProcessDuration.close();
  }
}

/** The reference's sender label: `{device}/{module}`, or the device alone for device telemetry. */
export function senderId(device: string, module: string | undefined): string {
  return module === undefined ? device : `${device}/${module}`;
}
