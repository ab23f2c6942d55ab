// Every SQL statement the backend runs, prepared once per connection. Range statements come in
// two shapes, with and without an upper key bound, so that both can walk an index: an
// "upper bound or NULL" parameter would hide the bound from SQLite's planner.
import type { Database, Statement } from 'better-sqlite3';
import type { KeyValue } from '../backend.js';
import { compareKeys } from '../prefix.js';
import type { LogRow, LogRowWithPrev } from './rows.js';

/** name, value, create_revision (0 = own id), id. */
type LatestTuple = [string, string, number, number];

/** A key interval [from, to); `to` undefined = to the end of the keyspace. */
export interface KeySpan {
  from: string;
  to: string | undefined;
}

interface Bounded<T> {
  open: T;
  closed: T;
}

export class Statements {
  readonly latest: Statement<[string], LogRow>;
  readonly latestAt: Statement<[string, number], LogRow>;
  readonly insert: Statement<[string, number, number, number, number, string]>;
  readonly setCurrent: Statement<[string, number]>;
  readonly dropCurrent: Statement<[string]>;
  readonly maxRevision: Statement<[], { seq: number }>;
  readonly getMeta: Statement<[string], { value: number }>;
  readonly setMeta: Statement<[string, number]>;
  readonly compactSuperseded: Statement<[number, number]>;
  readonly compactTombstones: Statement<[number, number]>;
  private readonly rangeLatest: Bounded<Statement<unknown[], LatestTuple>>;
  private readonly countLatest: Bounded<Statement<unknown[], { n: number }>>;
  private readonly untouchedAt: Bounded<Statement<unknown[], LatestTuple>>;
  private readonly changedAt: Bounded<Statement<unknown[], LatestTuple>>;
  private readonly countAt: Bounded<Statement<unknown[], { n: number }>>;
  private readonly history: Bounded<Statement<unknown[], LogRowWithPrev>>;

  constructor(db: Database) {
    this.latest = db.prepare('SELECT l.* FROM current c JOIN log l ON l.id = c.id WHERE c.name = ?');
    this.latestAt = db.prepare('SELECT * FROM log WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1');
    this.insert = db.prepare(
      'INSERT INTO log (name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.setCurrent = db.prepare(
      'INSERT INTO current (name, id) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET id = excluded.id',
    );
    this.dropCurrent = db.prepare('DELETE FROM current WHERE name = ?');
    // sqlite_sequence keeps the highest id ever issued even after compaction removed that row,
    // which is exactly "the latest revision written".
    this.maxRevision = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'log'");
    this.getMeta = db.prepare('SELECT value FROM meta WHERE key = ?');
    this.setMeta = db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    // Every row except a key's first points at its predecessor, so the rows named by
    // prev_revision of rows in (lo, hi] are exactly the ones superseded within that span.
    this.compactSuperseded = db.prepare(
      'DELETE FROM log WHERE id IN (SELECT prev_revision FROM log WHERE id > ? AND id <= ? AND prev_revision > 0)',
    );
    this.compactTombstones = db.prepare('DELETE FROM log WHERE id > ? AND id <= ? AND deleted = 1');

    const both = <T>(make: (bound: string) => T): Bounded<T> => ({
      open: make(''),
      closed: make(' AND {col} < @to'),
    });
    const bound = (sql: string, col: string) => sql.replace('{col}', col);
    // Full lists are the hot path (every informer relist): rows come back as arrays of just the
    // four columns a KeyValue needs, which halves the time better-sqlite3 spends building them.
    this.rangeLatest = both((b) =>
      db
        .prepare<unknown[], LatestTuple>(
          'SELECT l.name, l.value, l.create_revision, l.id FROM current c JOIN log l ON l.id = c.id' +
            ' WHERE c.name >= @from' +
            bound(b, 'c.name') +
            ' ORDER BY c.name LIMIT @limit',
        )
        .raw(true),
    );
    this.countLatest = both((b) =>
      db.prepare('SELECT count(*) AS n FROM current WHERE name >= @from' + bound(b, 'name')),
    );
    // A read at an older revision R splits the keys in two. A key whose current row is at or
    // below R has not been written since, so its current row is its state at R; that part walks
    // the `current` index like a latest read. Only keys written after R need the log (their last
    // row at or below R), and those are few when R is recent, as it is for paged lists.
    const untouched = (b: string, cols: string) =>
      `SELECT ${cols} FROM current c JOIN log l ON l.id = c.id WHERE c.name >= @from` + bound(b, 'c.name') + ' AND c.id <= @rev';
    const changed = (b: string, cols: string) =>
      `SELECT ${cols} FROM (SELECT DISTINCT name FROM log WHERE id > @rev AND name >= @from` +
      bound(b, 'name') +
      ') ch JOIN log l ON l.id = (SELECT max(id) FROM log m WHERE m.name = ch.name AND m.id <= @rev) WHERE l.deleted = 0';
    const tupleCols = 'l.name, l.value, l.create_revision, l.id';
    this.untouchedAt = both((b) =>
      db.prepare<unknown[], LatestTuple>(untouched(b, tupleCols) + ' ORDER BY c.name LIMIT @limit').raw(true),
    );
    this.changedAt = both((b) =>
      db.prepare<unknown[], LatestTuple>(changed(b, tupleCols) + ' ORDER BY l.name LIMIT @limit').raw(true),
    );
    this.countAt = both((b) =>
      db.prepare(
        `SELECT (SELECT count(*) FROM (${untouched(b, '1')})) + (SELECT count(*) FROM (${changed(b, '1')})) AS n`,
      ),
    );
    this.history = both((b) =>
      db.prepare(
        'SELECT l.*, p.id AS prev_id, p.created AS prev_created, p.deleted AS prev_deleted,' +
          ' p.create_revision AS prev_create_revision, p.value AS prev_value' +
          ' FROM log l LEFT JOIN log p ON p.id = l.prev_revision' +
          ' WHERE l.id > @after AND l.id <= @upTo AND l.name >= @from' +
          bound(b, 'l.name') +
          ' ORDER BY l.id LIMIT @limit',
      ),
    );
  }

  /** Latest values in `span` from key `start` on, at most `limit` (-1 = all). */
  rangeLatestKeyValues(span: KeySpan, start: string, limit: number): KeyValue[] {
    const from = compareKeys(start, span.from) > 0 ? start : span.from;
    return tuples(pick(this.rangeLatest, span).all({ from, to: span.to, limit }));
  }

  countLatestRows(span: KeySpan): number {
    return pick(this.countLatest, span).get({ from: span.from, to: span.to })!.n;
  }

  /** Values live at `rev` in `span` from key `start` on, at most `limit` (-1 = all). */
  rangeKeyValuesAt(span: KeySpan, rev: number, start: string, limit: number): KeyValue[] {
    const params = { from: compareKeys(start, span.from) > 0 ? start : span.from, to: span.to, rev, limit };
    const a = tuples(pick(this.untouchedAt, span).all(params));
    const b = tuples(pick(this.changedAt, span).all(params));
    if (b.length === 0) return a;
    // Both halves are in key order and hold different keys: merge them, then cut to the limit.
    const merged: KeyValue[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      merged.push(j >= b.length || (i < a.length && compareKeys(a[i]!.key, b[j]!.key) < 0) ? a[i++]! : b[j++]!);
    }
    if (limit >= 0 && merged.length > limit) merged.length = limit;
    return merged;
  }

  countRowsAt(span: KeySpan, rev: number): number {
    return pick(this.countAt, span).get({ from: span.from, to: span.to, rev })!.n;
  }

  /** Writes in `span` with after < revision ≤ upTo, oldest first, each with the row it replaced. */
  historyRows(span: KeySpan, after: number, upTo: number, limit: number): LogRowWithPrev[] {
    return pick(this.history, span).all({ from: span.from, to: span.to, after, upTo, limit });
  }
}

function tuples(rows: LatestTuple[]): KeyValue[] {
  const kvs = new Array<KeyValue>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [key, value, createRevision, modRevision] = rows[i]!;
    kvs[i] = { key, value, createRevision: createRevision === 0 ? modRevision : createRevision, modRevision };
  }
  return kvs;
}

function pick<T>(variants: Bounded<T>, span: KeySpan): T {
  return span.to === undefined ? variants.open : variants.closed;
}
