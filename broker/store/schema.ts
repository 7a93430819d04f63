// The on-disk format of the store, versioned. Each migration moves the database one version forward;
// a store written by an older hub is migrated on open, a store from a newer hub is refused.
import type { Database } from './sqlite-driver.js';

/** Ordered migrations; index i takes the database from version i to version i + 1. */
const MIGRATIONS: readonly string[] = [
  // 0 → 1: messages stored once, one queue entry per (endpoint, priority), MQTT sessions.
  `
  CREATE TABLE endpoint (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  );
  -- A message body and its properties, stored once however many endpoints it goes to.
  CREATE TABLE message (
    id          INTEGER PRIMARY KEY,
    refs        INTEGER NOT NULL,
    enqueued_ms INTEGER NOT NULL,
    header      TEXT NOT NULL,
    body        BLOB NOT NULL
  );
  -- One row per message an endpoint still has to deliver; delivered order is (priority, seq).
  -- expires_ms = 0 means never.
  CREATE TABLE entry (
    endpoint   INTEGER NOT NULL,
    priority   INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    message    INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    PRIMARY KEY (endpoint, priority, seq)
  ) WITHOUT ROWID;
  -- Removing an entry releases its message; the last release deletes it.
  CREATE TRIGGER entry_released AFTER DELETE ON entry BEGIN
    UPDATE message SET refs = refs - 1 WHERE id = OLD.message;
    DELETE FROM message WHERE id = OLD.message AND refs <= 0;
  END;
  -- Small facts about the store itself (the readiness probe writes here).
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  -- MQTT subscriptions of clean=false sessions: the SDK never resubscribes after a reconnect.
  CREATE TABLE mqtt_subscription (
    client_id TEXT NOT NULL,
    topic     TEXT NOT NULL,
    qos       INTEGER NOT NULL,
    PRIMARY KEY (client_id, topic)
  ) WITHOUT ROWID;
  `,
  // 1 → 2: a message for one endpoint lives in its entry (one row to write, one range to delete); only a message
  // for several endpoints is stored apart, once, with a reference count. Entries get rowids (their seq): large
  // rows belong in rowid tables, and a queue is read through an index.
  `
  CREATE TABLE entry_v2 (
    seq         INTEGER PRIMARY KEY,
    endpoint    INTEGER NOT NULL,
    priority    INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL,
    message     INTEGER,
    enqueued_ms INTEGER,
    header      TEXT,
    body        BLOB
  );
  INSERT INTO entry_v2 (seq, endpoint, priority, expires_ms, message, enqueued_ms, header, body)
    SELECT e.seq, e.endpoint, e.priority, e.expires_ms,
           CASE WHEN m.refs > 1 THEN m.id END,
           CASE WHEN m.refs > 1 THEN NULL ELSE m.enqueued_ms END,
           CASE WHEN m.refs > 1 THEN NULL ELSE m.header END,
           CASE WHEN m.refs > 1 THEN NULL ELSE m.body END
    FROM entry e JOIN message m ON m.id = e.message;
  DROP TRIGGER entry_released;
  DROP TABLE entry;
  DELETE FROM message WHERE refs <= 1;
  ALTER TABLE entry_v2 RENAME TO entry;
  CREATE INDEX entry_queue ON entry (endpoint, priority, seq);
  -- Removing the last entry of a shared message deletes it.
  CREATE TRIGGER entry_released AFTER DELETE ON entry WHEN OLD.message IS NOT NULL BEGIN
    UPDATE message SET refs = refs - 1 WHERE id = OLD.message;
    DELETE FROM message WHERE id = OLD.message AND refs <= 0;
  END;
  `,
  // 2 → 3: module twins. Desired properties come from the configuration (kept here with their version, so a
  // restart with the same configuration keeps the version); reported properties are patched by the module.
  `
  CREATE TABLE twin (
    id               TEXT PRIMARY KEY,
    desired          TEXT NOT NULL,
    desired_version  INTEGER NOT NULL,
    reported         TEXT NOT NULL,
    reported_version INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to SCHEMA_VERSION (or to `to`, for tests of older stores); refuses a newer database. */
export function migrate(db: Database, to: number = SCHEMA_VERSION): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `the store was written by a newer edgehub (schema version ${current}; this one knows up to ${SCHEMA_VERSION}); upgrade edgehub or use another --data folder`,
    );
  }
  for (let v = current; v < to; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
