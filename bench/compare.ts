// Checks that a suite run reproduces a published one: every headline median of NEW within PUBLISHED's min–max.
//   node --import tsx bench/compare.ts PUBLISHED.json NEW.json      (npm run bench:compare -- …)
// Exit status 0 when all figures reproduce, 1 when some do not (they are listed), 2 on bad arguments.
import { readFileSync } from 'node:fs';
import type { SuiteResult } from './outcomes.js';
import { reproduce } from './reproduce.js';

const fmt = (x: number) =>
  Math.abs(x) >= 10_000 ? `${(x / 1000).toFixed(1)}k` : Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);

function load(path: string): SuiteResult {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SuiteResult;
  } catch (err) {
    throw new Error(`${path}: not a bench result (${(err as Error).message})`, { cause: err });
  }
}

function main(argv: readonly string[]): number {
  if (argv.length !== 2) {
    process.stderr.write('Usage: node --import tsx bench/compare.ts PUBLISHED.json NEW.json\n');
    return 2;
  }
  const [published, now] = [load(argv[0]!), load(argv[1]!)];
  const rows = reproduce(published, now);
  const lines = [
    `published: ${argv[0]} (commit ${published.machine.commit}, ${published.settings.mode})`,
    `new:       ${argv[1]} (commit ${now.machine.commit}, ${now.settings.mode})`,
    '',
    '| scenario | case | figure | published median (min–max) | new median | |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.caseLabel} | ${r.figure} | ${fmt(r.published.median)} (${fmt(r.published.min)}–${fmt(r.published.max)}) | ${fmt(r.now.median)} | ${r.within ? 'within' : '**outside**'} |`,
    ),
    '',
    `${rows.filter((r) => r.within).length} of ${rows.length} figures within the published min–max`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return rows.every((r) => r.within) ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
