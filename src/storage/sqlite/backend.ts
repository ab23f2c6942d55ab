// The SQLite Backend: one better-sqlite3 connection owned by this process. better-sqlite3 is
// synchronous, so every read runs to completion against committed state without interleaving
// with a commit — a range and its count always describe the same revision.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  CompactedError,
  FutureRevisionError,
  type Backend,
  type KeyValue,
  type RangeOptions,
  type RangeResult,
  type Watch,
  type WatchEvent,
  type WatchOptions,
} from '../backend.js';
import { BackendClosedError } from '../errors.js';
import { compareKeys, prefixEnd } from '../prefix.js';
import { markCompacted, readCompactedRevision, removeHistory } from './compact.js';
import { toKeyValue, toWatchEvent } from './rows.js';
import { prepareDatabase } from './schema.js';
import { ensurePrivateDatabaseFile } from './file-mode.js';
import { Statements, type KeySpan } from './statements.js';
import { GroupWriter, type WriteRequest } from './writer.js';
import { WatchHub } from './watch.js';

export const MEMORY = ':memory:';

interface Open {
  db: Database.Database;
  sql: Statements;
  writer: GroupWriter;
}

export class SqliteBackend implements Backend {
  private open: Open | undefined;
  private closed = false;
  private revision = 0;
  private compacted = 0;
  private compacting: Promise<void> = Promise.resolve();
  private readonly hub = new WatchHub({
    currentRevision: () => this.revision,
    compactedRevision: () => this.compacted,
    history: (span, after, upTo, limit) =>
      this.conn().sql.historyRows(span, after, upTo, limit).map(toWatchEvent),
  });

  /** `file` is a path to the database file, or ':memory:' for a store that lives as long as this object. */
  constructor(readonly file: string) {}

  async start(): Promise<void> {
    if (this.open) return;
    if (this.closed) throw new BackendClosedError();
    if (this.file !== MEMORY) {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      ensurePrivateDatabaseFile(this.file);
    }
    const db = new Database(this.file);
    try {
      prepareDatabase(db);
      const sql = new Statements(db);
      this.revision = sql.maxRevision.get()?.seq ?? 0;
      this.compacted = readCompactedRevision(sql);
      const writer = new GroupWriter(db, sql, (revision, events) => this.committed(revision, events));
      this.open = { db, sql, writer };
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') {
        throw new Error(`${this.file} is in use by another process (is another kubesvc running on this data dir?)`);
      }
      throw err;
    }
  }

  async currentRevision(): Promise<number> {
    this.conn();
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    this.conn();
    return this.compacted;
  }

  async get(key: string, revision?: number): Promise<{ kv: KeyValue | undefined; revision: number }> {
    const { sql } = this.conn();
    const at = this.readRevision(revision);
    const row = at === this.revision ? sql.latest.get(key) : sql.latestAt.get(key, at);
    return { kv: row && !row.deleted ? toKeyValue(row) : undefined, revision: at };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    return (await this.write({ kind: 'create', key, value })) as KeyValue;
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return (await this.write({ kind: 'update', key, value, expectedRevision })) as KeyValue;
  }

  async delete(key: string, expectedRevision?: number): Promise<{ prevKv: KeyValue; revision: number }> {
    return (await this.write({ kind: 'delete', key, expectedRevision })) as { prevKv: KeyValue; revision: number };
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    const { sql } = this.conn();
    const at = this.readRevision(opts.revision);
    const span: KeySpan = { from: prefix, to: prefixEnd(prefix) };
    const start = opts.startKey ?? '';
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    // One row past the limit tells whether more remain without a second query.
    const want = limit > 0 ? limit + 1 : -1;
    const latest = at === this.revision;
    const kvs = latest
      ? sql.rangeLatestKeyValues(span, start, want)
      : sql.rangeKeyValuesAt(span, at, start, want);
    const more = limit > 0 && kvs.length > limit;
    if (more) kvs.length = limit;
    // Without a limit or start key the rows are the count; counting again would double the work.
    const count =
      !more && compareKeys(start, prefix) <= 0 ? kvs.length : latest ? sql.countLatestRows(span) : sql.countRowsAt(span, at);
    return { kvs, revision: at, more, count };
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    this.conn();
    return this.hub.add(prefix, opts);
  }

  async compact(revision: number): Promise<void> {
    const { db, sql } = this.conn();
    if (revision > this.revision) throw new FutureRevisionError(revision, this.revision);
    // Compacting to or below the current point has nothing left to do; treating it as done
    // (rather than etcd's "already compacted" error) keeps periodic compactors simple.
    if (revision <= this.compacted) return;
    markCompacted(sql, revision);
    this.compacted = revision;
    this.hub.checkCompacted();
    const run = this.compacting.then(() => removeHistory(db, sql, revision, () => this.open !== undefined));
    this.compacting = run.catch(() => undefined);
    await run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const open = this.open;
    if (!open) return;
    await open.writer.drain();
    this.open = undefined;
    await this.compacting;
    this.hub.endAll(new BackendClosedError());
    open.db.close();
  }

  private write(request: WriteRequest) {
    if (this.closed) return Promise.reject(new BackendClosedError());
    return this.conn().writer.submit(request);
  }

  private committed(revision: number, events: WatchEvent[]): void {
    this.revision = revision;
    this.hub.publish(events);
  }

  /** The revision a read is served at: latest when absent or 0, else checked against the log's ends. */
  private readRevision(requested: number | undefined): number {
    if (!requested) return this.revision;
    if (requested > this.revision) throw new FutureRevisionError(requested, this.revision);
    if (requested < this.compacted) throw new CompactedError(requested, this.compacted);
    return requested;
  }

  private conn(): Open {
    if (!this.open) throw this.closed ? new BackendClosedError() : new Error('sqlite backend used before start()');
    return this.open;
  }
}
