// Every metric the hub exports. Names, types and labels follow the reference edgeHub (reference/routing.md §5.2)
// where it has them, so existing dashboards and alerts keep working; the hub's own carry the `edgehub_store_`,
// `edgehub_route_` and `edgehub_` prefixes. One registry per hub instance (tests run several hubs in a process).
import { randomUUID } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { BoundedLabel } from './bounded-label.js';

export interface CommonLabels {
  /** The IoT hub host name the device belongs to. */
  readonly iothub: string;
  readonly edgeDevice: string;
}

/** Quantiles of the reference's summaries (its timers, durations and histograms are all summaries). */
const QUANTILES = [0.1, 0.5, 0.9, 0.99];
const SUMMARY = { percentiles: QUANTILES, maxAgeSeconds: 600, ageBuckets: 5 };

export class HubMetrics {
  readonly registry = new Registry();
  /** Bounds client-chosen label values (output and input names). */
  readonly outputs = new BoundedLabel(200);

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
  readonly storeSize;
  readonly commitBatchSize;
  readonly commitDuration;
  readonly routeEvaluation;
  readonly configReloads;

  constructor(labels: CommonLabels, storeSize: () => number) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({
      iothub: labels.iothub,
      edge_device: labels.edgeDevice,
      instance_number: randomUUID(),
    });
    this.messagesReceived = new Counter({
      name: 'edgehub_messages_received_total',
      help: 'Messages received from clients',
      labelNames: ['id', 'route_output', 'ms_telemetry'],
      registers,
    });
    this.messagesSent = new Counter({
      name: 'edgehub_messages_sent_total',
      help: 'Messages delivered to an endpoint and acknowledged by it',
      labelNames: ['from', 'to', 'from_route_output', 'to_route_input', 'priority', 'ms_telemetry'],
      registers,
    });
    this.messageSize = new Summary({
      name: 'edgehub_message_size_bytes',
      help: 'Size of received messages (properties and body)',
      labelNames: ['id'],
      registers,
      ...SUMMARY,
    });
    this.messageSendDuration = new Summary({
      name: 'edgehub_message_send_duration_seconds',
      help: 'Time from handing a message to a receiver to its acknowledgement',
      labelNames: ['from', 'to', 'from_route_output', 'to_route_input'],
      registers,
      ...SUMMARY,
    });
    this.messageProcessDuration = new Summary({
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
    });
    this.messagesDropped = new Counter({
      name: 'edgehub_messages_dropped_total',
      help: 'Messages dropped, by reason: no_route, ttl_expiry, oversize',
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
    this.connectedClients = new Gauge({
      name: 'edgehub_connected_clients',
      help: 'Clients connected now',
      registers,
    });
    this.storeSize = new Gauge({
      name: 'edgehub_store_size_bytes',
      help: 'Bytes the store uses on disk (database and write-ahead log)',
      registers,
      collect() {
        this.set(storeSize());
      },
    });
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
      help: 'Time to evaluate the route table for one message',
      buckets: [0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.001],
      registers,
    });
    this.configReloads = new Counter({
      name: 'edgehub_config_reloads_total',
      help: 'Configuration loads, by result: applied or refused',
      labelNames: ['result'],
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
  }
}
