// Which better-sqlite3 the store loads. Line 12 is the project's driver: it runs on Node 20 (13 needs Node 22
// and crashes on 20). On Node 24 line 12 is unusable: since 24.19 any of its Statements finalized by the garbage
// collector aborts the process (node::RemoveEnvironmentCleanupHook assertion; nodejs/node#65446,
// WiseLibs/better-sqlite3#1515, closed without a fix). Line 13 moved to Node-API and has no such destructor, so
// Node 24 and later load it, installed under the alias `better-sqlite3-13`. The API is the same.
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

const require = createRequire(import.meta.url);
const major = Number(process.versions.node.split('.')[0]);

/** The module name in use, for logs and the store's diagnostics. */
export const SQLITE_DRIVER = major >= 24 ? 'better-sqlite3-13' : 'better-sqlite3';

export const Database = require(SQLITE_DRIVER) as typeof BetterSqlite3;
export type Database = BetterSqlite3.Database;
