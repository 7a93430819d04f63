// Offline awareness of the upstream connection: the reference's edgehub_offline_count_total and
// edgehub_offline_duration_seconds (reference/routing.md §5.2), and two gauges of ours that show an offline
// period while it lasts (the reference's summary records a period only once it has ended).
import { Counter, Gauge, Summary, type Registry } from 'prom-client';

export class UpstreamMetrics {
  readonly offlineCount;
  readonly offlineDuration;
  /** 1 while the upstream connection is up. */
  readonly connected;
  private offlineSince: number | undefined;

  constructor(
    registry: Registry,
    private readonly id: string,
    private readonly now: () => number = Date.now,
  ) {
    const registers = [registry];
    this.offlineCount = new Counter({
      name: 'edgehub_offline_count_total',
      help: 'Times the upstream connection went offline (a start that cannot connect counts once)',
      labelNames: ['id', 'ms_telemetry'],
      registers,
    });
    this.offlineDuration = new Summary({
      name: 'edgehub_offline_duration_seconds',
      help: 'Length of each ended offline period of the upstream connection',
      labelNames: ['id', 'ms_telemetry'],
      percentiles: [0.1, 0.5, 0.9, 0.99],
      maxAgeSeconds: 600,
      ageBuckets: 5,
      registers,
    });
    this.connected = new Gauge({
      name: 'edgehub_upstream_connected',
      help: '1 while the upstream connection is up, else 0',
      registers,
    });
    const since = () => this.offlineSince;
    const clock = this.now;
    new Gauge({
      name: 'edgehub_upstream_offline_seconds',
      help: 'How long the current offline period has lasted (0 while connected)',
      registers,
      collect() {
        const s = since();
        this.set(s === undefined ? 0 : (clock() - s) / 1000);
      },
    });
    this.connected.set(0);
  }

  wentOffline(): void {
    if (this.offlineSince !== undefined) return;
    this.offlineSince = this.now();
    this.connected.set(0);
    this.offlineCount.inc({ id: this.id, ms_telemetry: 'True' });
  }

  /** Back online; returns how long the offline period lasted (seconds), if there was one. */
  cameOnline(): number | undefined {
    this.connected.set(1);
    const since = this.offlineSince;
    if (since === undefined) return undefined;
    this.offlineSince = undefined;
    const seconds = (this.now() - since) / 1000;
    this.offlineDuration.observe({ id: this.id, ms_telemetry: 'True' }, seconds);
    return seconds;
  }
}
