// How fast the machine itself is during a run. On a shared VM the host's speed changes under us: a fixed
// JavaScript loop on this 2-core machine runs at ~1.0 or ~1.9 units per CPU ms, switching every few seconds with
// nothing else running (`node --import tsx bench/speed-probe.ts 30` prints such a series). A broker measured in
// a slow phase looks 1.8× slower although nothing about it changed, and "other load" cannot see it: the time
// is taken outside the VM. So every measured window also samples a small fixed piece of work in the
// orchestrator (about 1 ms every 250 ms, under 1% of a core, counted in "other load"), timed by the CPU time it
// took, so that being preempted by the broker does not look like a slow machine.
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

/** Fixed work: number formatting and short-lived objects, like a broker's hot path without I/O. */
function work(): number {
  let n = 0;
  for (let i = 0; i < 2000; i++) n += JSON.stringify({ i, s: `k${i}` }).length;
  return n;
}

/** One sample: units of fixed work per CPU millisecond of this thread (higher is a faster machine). */
export function sampleSpeed(units = 2): number {
  let sink = 0;
  const before = process.cpuUsage();
  for (let u = 0; u < units; u++) sink += work();
  const used = process.cpuUsage(before);
  const cpuMs = (used.user + used.system) / 1000;
  // `sink` keeps the work from being optimised away; it is always positive.
  return sink > 0 && cpuMs > 0 ? units / cpuMs : 0;
}

/** Samples the machine's speed every `everyMs` between start() and stop(); stop() gives the median. */
export class SpeedProbe {
  private readonly samples: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly everyMs = 250) {}

  start(): void {
    this.samples.length = 0;
    this.timer = setInterval(() => {
      const s = sampleSpeed();
      if (s > 0) this.samples.push(s);
    }, this.everyMs);
  }

  /** The median speed over the window (work units per CPU ms), or undefined without samples. */
  stop(): number | undefined {
    clearInterval(this.timer);
    this.timer = undefined;
    return this.samples.length > 0 ? median(this.samples) : undefined;
  }
}

// node --import tsx bench/speed-probe.ts [SECONDS]: the median of the samples of every 250 ms, to see the phases.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seconds = Number(process.argv[2] ?? 30);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    console.error(
      `usage: node --import tsx bench/speed-probe.ts [SECONDS]; SECONDS must be a positive number, not ${process.argv[2]}`,
    );
    process.exit(2);
  }
  const until = performance.now() + seconds * 1000;
  const line: string[] = [];
  while (performance.now() < until) {
    const started = performance.now();
    const samples: number[] = [];
    while (performance.now() - started < 250) samples.push(sampleSpeed());
    line.push(median(samples).toFixed(1));
  }
  console.log(`fixed work per CPU ms, every 250 ms for ${seconds} s:`);
  console.log(line.join(' '));
}
