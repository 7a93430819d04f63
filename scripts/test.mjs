#!/usr/bin/env node
// Runs every test with node's built-in runner and tsx as the TypeScript loader.
// Node 20's `--test` takes no globs, so the files are found here.
//   npm test                    all unit and end-to-end tests
//   npm test -- routing/        only files whose path contains "routing/"
//   npm test -- --unit | --e2e  only unit tests (*.test.ts) or only e2e suites (e2e/*.e2e.ts)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const skip = new Set(['node_modules', 'dist', 'data', '.git', '.tmp', 'testdata']);
const args = process.argv.slice(2);
const onlyUnit = args.includes('--unit');
const onlyE2e = args.includes('--e2e');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else out.push(relative(root, path));
  }
  return out;
}

const files = walk(root, [])
  .filter((f) => (onlyE2e ? false : f.endsWith('.test.ts')) || (onlyUnit ? false : f.endsWith('.e2e.ts')))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();

if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}

const reporter = process.env.TEST_REPORTER ?? 'spec';
// A file whose tests are over exits even if a failed test left a worker thread or a socket behind (without
// this, one failure could keep the run waiting until CI's own limit), and no single test runs past 10 minutes.
const guards = ['--test-force-exit', '--test-timeout=600000'];
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', ...guards, `--test-reporter=${reporter}`, ...files],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'test' },
  },
);
process.exit(result.status ?? 1);
