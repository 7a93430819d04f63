// Reads V8 CPU profiles (.cpuprofile, from `--profile-hub DIR` or `node --cpu-prof`) and prints where the time
// went: the top functions by self time, and self time grouped by component (hub code, aedes, SQLite, Node
// internals, GC, idle).   node --import tsx bench/profile.ts FILE.cpuprofile [--top N] [--skip-ms MS]
// --skip-ms leaves out the first MS milliseconds (the hub's start: module loading, certificates).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Frame {
  readonly name: string;
  readonly where: string;
  readonly ms: number;
  readonly share: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function shortUrl(url: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

/** The component a frame belongs to, for the grouped view. */
export function component(name: string, url: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'V8/native (program)';
  const u = shortUrl(url);
  if (u === '') return `native (${name || 'anonymous'})`;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (m) return m[1]!;
  if (u.startsWith('node:')) return `node:${u.slice(5).split('/')[0]}`;
  return u.split('/').slice(0, 2).join('/');
}

export function analyse(
  profile: CpuProfile,
  top: number,
  skipMs = 0,
  untilMs = Infinity,
): { total: number; frames: Frame[]; groups: Frame[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  let at = 0;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const delta = (profile.timeDeltas[i] ?? 0) / 1000;
    at += delta;
    if (at < skipMs || at > untilMs) continue;
    total += delta;
    selfMs.set(id, (selfMs.get(id) ?? 0) + delta);
  }
  const frames = new Map<string, { name: string; where: string; ms: number }>();
  const groups = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || '(anonymous)';
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const f = frames.get(key) ?? { name, where, ms: 0 };
    f.ms += ms;
    frames.set(key, f);
    const g = component(functionName, url);
    groups.set(g, (groups.get(g) ?? 0) + ms);
  }
  const busy = total - (groups.get('idle') ?? 0);
  const withShare = (f: { name: string; where: string; ms: number }): Frame => ({
    ...f,
    share: f.name === 'idle' ? f.ms / total : f.ms / busy,
  });
  return {
    total,
    frames: [...frames.values()]
      .filter((f) => f.name !== '(idle)')
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map(withShare),
    groups: [...groups]
      .map(([name, ms]) => ({ name, where: '', ms }))
      .sort((a, b) => b.ms - a.ms)
      .map(withShare),
  };
}

function main(): void {
  const { values, positionals } = parseArgs({
    options: { top: { type: 'string' }, 'skip-ms': { type: 'string' }, 'until-ms': { type: 'string' } },
    allowPositionals: true,
  });
  const top = Number(values.top ?? 25);
  const skipMs = Number(values['skip-ms'] ?? 0);
  const untilMs = values['until-ms'] === undefined ? Infinity : Number(values['until-ms']);
  if (positionals.length === 0 || !Number.isFinite(top) || !Number.isFinite(skipMs) || Number.isNaN(untilMs)) {
    console.error(
      'usage: node --import tsx bench/profile.ts FILE.cpuprofile... [--top N] [--skip-ms MS] [--until-ms MS]',
    );
    process.exit(2);
  }
  for (const file of positionals) {
    const r = analyse(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top, skipMs, untilMs);
    const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
    console.log(`${file}: ${(r.total / 1000).toFixed(1)} s profiled (shares are of busy time; idle: of all)\n`);
    console.log('self time by component');
    for (const g of r.groups) console.log(`  ${pct(g.share)}  ${g.ms.toFixed(0).padStart(7)} ms  ${g.name}`);
    console.log(`\ntop ${top} functions by self time`);
    for (const f of r.frames)
      console.log(`  ${pct(f.share)}  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}  ${f.where}`);
    console.log('');
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
