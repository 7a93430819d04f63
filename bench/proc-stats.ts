// CPU time and memory of a process by PID, from /proc (Linux).
import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SEC = 100; // getconf CLK_TCK on Linux x86-64 and arm64

/** User + system CPU time of `pid` so far (ms), or undefined when it cannot be read. */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces: split after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SEC;
  } catch {
    return undefined;
  }
}

export interface Memory {
  /** Resident set size now (bytes). */
  readonly rss: number;
  /** Peak resident set size (bytes). */
  readonly peak: number;
}

export function memory(pid: number): Memory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** A CPU meter for one process: fraction of one core used between two readings. */
export class CpuMeter {
  private startCpu: number | undefined;
  private startAt = 0;

  constructor(private readonly pid: number) {}

  start(): void {
    this.startCpu = cpuTimeMs(this.pid);
    this.startAt = performance.now();
  }

  /** Cores used since start() (1.0 = one full core), or undefined. */
  read(): number | undefined {
    const now = cpuTimeMs(this.pid);
    if (now === undefined || this.startCpu === undefined) return undefined;
    const wall = performance.now() - this.startAt;
    return wall > 0 ? (now - this.startCpu) / wall : undefined;
  }
}

/** Busy and total CPU time of the whole machine so far (ms, all cores), from the first line of /proc/stat. */
function machineCpuMs(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
    return { busy: ((total - idle) * 1000) / CLOCK_TICKS_PER_SEC, total: (total * 1000) / CLOCK_TICKS_PER_SEC };
  } catch {
    return undefined;
  }
}

/**
 * CPU used by everything on the machine between start() and read(), in cores: with the broker's and the
 * clients' share subtracted, what is left is other load (another job on a shared machine) that the run
 * competed with.
 */
export class MachineCpuMeter {
  private start0: { busy: number; total: number } | undefined;
  private startAt = 0;

  start(): void {
    this.start0 = machineCpuMs();
    this.startAt = performance.now();
  }

  read(): number | undefined {
    const now = machineCpuMs();
    if (!now || !this.start0) return undefined;
    const wall = performance.now() - this.startAt;
    return wall > 0 ? (now.busy - this.start0.busy) / wall : undefined;
  }
}
