// Every SQL statement the backend runs, prepared once per connection. Range statements come in
// two shapes, with and without an upper key bound, so that both can walk an index: an
// "upper bound or NULL" parameter would hide the bound from SQLite's planner.
import type { Database, Statement } from 'better-sqlite3';
import type { LogRow, LogRowWithPrev } from './rows.js';

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
  private readonly rangeLatest: Bounded<Statement<unknown[], LogRow>>;
  private readonly countLatest: Bounded<Statement<unknown[], { n: number }>>;
  private readonly rangeAt: Bounded<Statement<unknown[], LogRow>>;
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
    this.rangeLatest = both((b) =>
      db.prepare(
        'SELECT l.* FROM current c JOIN log l ON l.id = c.id WHERE c.name >= @from' +
          bound(b, 'c.name') +
          ' ORDER BY c.name LIMIT @limit',
      ),
    );
    this.countLatest = both((b) =>
      db.prepare('SELECT count(*) AS n FROM current WHERE name >= @from' + bound(b, 'name')),
    );
    // The latest row of each key as of a revision: max(id) per name walks the (name, id) index.
    const latestIdsAt = (b: string) =>
      'SELECT max(id) AS id FROM log WHERE name >= @from' + bound(b, 'name') + ' AND id <= @rev GROUP BY name';
    this.rangeAt = both((b) =>
      db.prepare(
        `SELECT l.* FROM (${latestIdsAt(b)}) m JOIN log l ON l.id = m.id` +
          ' WHERE l.deleted = 0 AND l.name >= @start ORDER BY l.name LIMIT @limit',
      ),
    );
    this.countAt = both((b) =>
      db.prepare(`SELECT count(*) AS n FROM (${latestIdsAt(b)}) m JOIN log l ON l.id = m.id WHERE l.deleted = 0`),
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

  /** Latest rows in `span` from key `start` on, at most `limit` (-1 = all). */
  rangeLatestRows(span: KeySpan, start: string, limit: number): LogRow[] {
    const from = start > span.from ? start : span.from;
    return pick(this.rangeLatest, span).all({ from, to: span.to, limit });
  }

  countLatestRows(span: KeySpan): number {
    return pick(this.countLatest, span).get({ from: span.from, to: span.to })!.n;
  }

  /** Rows live at `rev` in `span` from key `start` on, at most `limit` (-1 = all). */
  rangeRowsAt(span: KeySpan, rev: number, start: string, limit: number): LogRow[] {
    return pick(this.rangeAt, span).all({ from: span.from, to: span.to, rev, start, limit });
  }

  countRowsAt(span: KeySpan, rev: number): number {
    return pick(this.countAt, span).get({ from: span.from, to: span.to, rev })!.n;
  }

  /** Writes in `span` with after < revision ≤ upTo, oldest first, each with the row it replaced. */
  historyRows(span: KeySpan, after: number, upTo: number, limit: number): LogRowWithPrev[] {
    return pick(this.history, span).all({ from: span.from, to: span.to, after, upTo, limit });
  }
}

function pick<T>(variants: Bounded<T>, span: KeySpan): T {
  return span.to === undefined ? variants.open : variants.closed;
}
