// What the results were measured on: the machine, the disk the data folders live on, the software versions and
// the git commit of the checkout (with a flag when it has uncommitted changes).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus, release, totalmem, type } from 'node:os';

export interface Machine {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGB: number;
  readonly os: string;
  readonly node: string;
  /** Device, file system and size of the disk holding the benchmark's data folders. */
  readonly disk: string;
  readonly commit: string;
  readonly dirty: boolean;
  readonly versions: Readonly<Record<string, string>>;
}

function run(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd, timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : '';
}

function packageVersion(name: string): string {
  try {
    const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function describeDisk(dir: string): string {
  const line = run('df', ['-PT', dir]).split('\n')[1];
  if (!line) return 'unknown';
  const [device, fs, blocks] = line.split(/\s+/);
  const gb = (Number(blocks) / 1024 / 1024).toFixed(0);
  const base = device?.replace(/^\/dev\//, '').replace(/\d+$/, '') ?? '';
  let kind = '';
  try {
    kind =
      readFileSync(`/sys/block/${base}/queue/rotational`, 'utf8').trim() === '1' ? ', rotational' : ', non-rotational';
  } catch {
    // not a plain block device (overlay, tmpfs)
  }
  return `${device} ${fs} ${gb} GB${kind} (${dir})`;
}

export function describeMachine(dataDir: string, extraVersions: Record<string, string>): Machine {
  const root = new URL('..', import.meta.url).pathname;
  const commit = run('git', ['rev-parse', 'HEAD'], root) || 'unknown';
  const dirty = run('git', ['status', '--porcelain', '--untracked-files=no'], root) !== '';
  const c = cpus();
  return {
    cores: c.length,
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    memoryGB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()} ${arch()}`,
    node: process.version,
    disk: describeDisk(dataDir),
    commit,
    dirty,
    versions: {
      aedes: packageVersion('aedes'),
      'mqtt-packet': packageVersion('mqtt-packet'),
      'better-sqlite3': packageVersion('better-sqlite3'),
      ...extraVersions,
    },
  };
}
