// The store's cost per message, outside the hub: how long SQLite takes to append 100-message commits to an
// entry table shaped as the hub's (a rowid table and its queue index, WAL, synchronous NORMAL), and what the
// alternatives cost: one multi-row INSERT per 16 messages (what the store does), larger pages, and bodies kept
// in files of their own (one that grows, or 4 MiB segments deleted once released). Each commit also deletes
// the commit before last, as delivery does. Files go to os.tmpdir(): set TMPDIR to measure another disk.
//   npm run bench:store                     3 runs per case, 200 B and 4 KB (medians with min–max)
//   npm run bench:store -- --runs 5 --commits 5000
// Times are wall time of this process on an otherwise idle machine: run it alone. Never run by npm test.
import { closeSync, mkdtempSync, openSync, rmSync, writevSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate } from '../../broker/store/schema.js';
import { Database } from '../../broker/store/sqlite-driver.js';
import { INLINE_RUN as RUN } from '../../broker/store/sqlite-store.js';
import { summarize } from '../stats.js';

function usage(problem: string): never {
  console.error(`bench:store: ${problem}\nusage: npm run bench:store [-- --runs N] [--commits N]`);
  process.exit(2);
}
const options = (() => {
  try {
    return parseArgs({
      options: { runs: { type: 'string', default: '3' }, commits: { type: 'string', default: '3000' } },
      strict: true,
    }).values;
  } catch (err) {
    return usage((err as Error).message);
  }
})();
/** A positive whole number of `--name`, or exit with what was wrong. */
function count(name: 'runs' | 'commits'): number {
  const v = Number(options[name]);
  return Number.isInteger(v) && v > 0 ? v : usage(`--${name} must be a positive whole number; got '${options[name]}'`);
}
const RUNS = count('runs');
const COMMITS = count('commits');
const PER_COMMIT = 100;
const COLUMNS = 7;

const dir = mkdtempSync(join(tmpdir(), 'edgehub-insert-cost-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// A header as the store writes it: application and system properties, a fresh edge message id each.
const header = (i: number): string =>
  JSON.stringify({
    p: { a: '1', b: 'two' },
    s: { mid: `m-${i}`, cdid: 'edge', cmid: 'sensor', on: 'out', ct: 'application/json', ce: 'utf-8', emid: `e-${i}` },
  });

interface Case {
  readonly name: string;
  readonly pageSize?: number;
  readonly make: (db: Database, body: Buffer) => Writer;
}

interface Writer {
  /** Writes the PER_COMMIT messages of one commit, from seq `firstSeq`. */
  readonly write: (firstSeq: number) => void;
  /** Releases what the writer holds besides the database (the body file). */
  readonly close?: () => void;
}

/** One INSERT per message, from `first` to `first + count - 1`. */
function insertEach(db: Database, body: Buffer): (first: number, count: number) => void {
  const insert = db.prepare(
    'INSERT INTO entry (seq, endpoint, priority, expires_ms, enqueued_ms, header, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  return (first, count) => {
    for (let seq = first; seq < first + count; seq++) insert.run(seq, 1, 0, 0, Date.now(), header(seq), body);
  };
}

const one: Case['make'] = (db, body) => {
  const each = insertEach(db, body);
  return { write: (first) => each(first, PER_COMMIT) };
};

const multiRow: Case['make'] = (db, body) => {
  const insert = db.prepare(
    'INSERT INTO entry (seq, endpoint, priority, expires_ms, enqueued_ms, header, body) VALUES ' +
      Array.from({ length: RUN }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', '),
  );
  const each = insertEach(db, body);
  const params: unknown[] = new Array<unknown>(COLUMNS * RUN);
  const write = (first: number): void => {
    let i = 0;
    for (; i + RUN <= PER_COMMIT; i += RUN) {
      for (let j = 0; j < RUN; j++) {
        const o = COLUMNS * j;
        const seq = first + i + j;
        params[o] = seq;
        params[o + 1] = 1;
        params[o + 2] = 0;
        params[o + 3] = 0;
        params[o + 4] = Date.now();
        params[o + 5] = header(seq);
        params[o + 6] = body;
      }
      insert.run(params);
    }
    each(first + i, PER_COMMIT - i); // the remainder (100 = 6 × 16 + 4) one by one, as the store does
  };
  return { write };
};

/**
 * Bodies in files of their own, one `writev` per commit and an offset in the row. With `segmentBytes`, the
 * file is cut into segments and a segment is deleted once every message in it is released (two commits
 * later), as a log-structured store would; without, one file grows for the whole run.
 */
const bodyFile =
  (segmentBytes?: number): Case['make'] =>
  (db, body) => {
    const insert = db.prepare(
      'INSERT INTO entry (seq, endpoint, priority, expires_ms, enqueued_ms, header, body_offset) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const bodies = Array.from({ length: PER_COMMIT }, () => body);
    const segments: { file: string; fd: number; lastSeq: number }[] = [];
    const open = (): void => {
      const file = join(dir, `bodies-${segments.length === 0 ? 0 : segments.at(-1)!.lastSeq}`);
      segments.push({ file, fd: openSync(file, 'a'), lastSeq: 0 });
    };
    const drop = (s: { file: string; fd: number }): void => {
      closeSync(s.fd);
      rmSync(s.file, { force: true });
    };
    let offset = 0;
    const write = (first: number): void => {
      if (segments.length === 0 || (segmentBytes !== undefined && offset >= segmentBytes)) {
        open();
        offset = 0;
      }
      const current = segments.at(-1)!;
      writevSync(current.fd, bodies); // one system call per commit, before the rows that point at them
      for (let i = 0; i < PER_COMMIT; i++) {
        insert.run(first + i, 1, 0, 0, Date.now(), header(first + i), offset);
        offset += body.length;
      }
      current.lastSeq = first + PER_COMMIT - 1;
      // every message up to first - PER_COMMIT is released in this commit (see `release` below)
      while (segments.length > 1 && segments[0]!.lastSeq <= first - PER_COMMIT) drop(segments.shift()!);
    };
    return { write, close: () => segments.forEach(drop) };
  };

const CASES: readonly Case[] = [
  { name: 'one INSERT per message', make: one },
  { name: `multi-row INSERT, ${RUN} per statement (the store)`, make: multiRow },
  { name: 'one INSERT per message, 8 KiB pages', pageSize: 8192, make: one },
  { name: 'one INSERT per message, 16 KiB pages', pageSize: 16384, make: one },
  { name: 'bodies in one file of their own (writev per commit)', make: bodyFile() },
  { name: 'bodies in 4 MiB segment files, each deleted once released', make: bodyFile(4 << 20) },
];

/** Microseconds per message for one run of `c` at `size` bytes. */
function run(c: Case, size: number, n: number): number {
  const path = join(dir, `store-${n}.db`);
  const db = new Database(path);
  if (c.pageSize !== undefined) db.pragma(`page_size = ${c.pageSize}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db); // the store's own tables, index and trigger
  db.exec('ALTER TABLE entry ADD COLUMN body_offset INTEGER'); // for the body-file cases; NULL in the others
  const release = db.prepare('DELETE FROM entry WHERE endpoint = 1 AND priority = 0 AND seq > ? AND seq <= ?');
  const writer = c.make(db, Buffer.alloc(size, 7));
  const commit = db.transaction((first: number) => {
    writer.write(first);
    release.run(first - 2 * PER_COMMIT, first - PER_COMMIT);
  });
  const started = performance.now();
  for (let k = 0; k < COMMITS; k++) commit(1 + k * PER_COMMIT);
  const us = ((performance.now() - started) * 1000) / (COMMITS * PER_COMMIT);
  db.close();
  writer.close?.();
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  return us;
}

console.log(
  `store insert cost: ${COMMITS} commits of ${PER_COMMIT} messages per run, ${RUNS} runs, Node ${process.version}`,
);
console.log('| case | 200 B (µs/msg) | 4 KB (µs/msg) |\n|---|---|---|');
let n = 0;
for (const c of CASES) {
  const cells = [200, 4096].map((size) => {
    const s = summarize(Array.from({ length: RUNS }, () => run(c, size, n++)))!;
    return `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  });
  console.log(`| ${c.name} | ${cells.join(' | ')} |`);
}
