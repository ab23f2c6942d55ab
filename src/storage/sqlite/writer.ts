// Group commit. Writes that arrive during one turn of the event loop are queued and applied on
// setImmediate in a single transaction, so one fsync covers the whole group: that is what lets a
// single SQLite file take thousands of creates per second with synchronous=FULL. Each write is
// checked against the state left by the writes before it in the same group; a failed check
// (key exists, wrong revision) answers only that caller and writes nothing, so it cannot fail the
// others. Only a failure of SQLite itself rolls the whole group back and rejects all of it.
import type { Database } from 'better-sqlite3';
import {
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
  type KeyValue,
  type WatchEvent,
} from '../backend.js';
import { toKeyValue, type LogRow } from './rows.js';
import type { Statements } from './statements.js';

export type WriteRequest =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expectedRevision: number }
  | { kind: 'delete'; key: string; expectedRevision?: number };

export type WriteResult = KeyValue | { prevKv: KeyValue; revision: number };

interface Pending {
  request: WriteRequest;
  resolve(result: WriteResult): void;
  reject(err: unknown): void;
}

type Outcome = { ok: true; result: WriteResult; event: WatchEvent } | { ok: false; error: Error };

export interface CommitListener {
  /** Called after each successful commit with the new revision and the events, in revision order. */
  (revision: number, events: WatchEvent[]): void;
}

export class GroupWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private idle: Array<() => void> = [];

  constructor(
    private readonly db: Database,
    private readonly sql: Statements,
    private readonly onCommit: CommitListener,
  ) {}

  submit(request: WriteRequest): Promise<WriteResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Resolves once every write submitted so far has been committed or rejected. */
  drain(): Promise<void> {
    if (!this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    let outcomes: Outcome[];
    try {
      // IMMEDIATE takes the write lock before the first check, so the checks and the inserts
      // see one state even if something else opened the file.
      outcomes = this.db.transaction(() => batch.map((p) => this.apply(p.request))).immediate();
    } catch (err) {
      for (const p of batch) p.reject(err);
      this.settle();
      return;
    }
    const events: WatchEvent[] = [];
    let revision = 0;
    outcomes.forEach((outcome, i) => {
      if (outcome.ok) {
        events.push(outcome.event);
        revision = outcome.event.revision;
        batch[i]!.resolve(outcome.result);
      } else {
        batch[i]!.reject(outcome.error);
      }
    });
    if (events.length > 0) this.onCommit(revision, events);
    this.settle();
  }

  private settle(): void {
    if (this.scheduled) return;
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }

  private apply(request: WriteRequest): Outcome {
    const current = this.sql.latest.get(request.key);
    switch (request.kind) {
      case 'create':
        if (current) return { ok: false, error: new KeyExistsError(request.key) };
        return this.put(request.key, request.value, undefined);
      case 'update':
        if (!current) return { ok: false, error: new KeyNotFoundError(request.key) };
        if (current.id !== request.expectedRevision) {
          return { ok: false, error: new RevisionMismatchError(request.key, toKeyValue(current)) };
        }
        return this.put(request.key, request.value, current);
      case 'delete':
        if (!current) return { ok: false, error: new KeyNotFoundError(request.key) };
        if (request.expectedRevision !== undefined && current.id !== request.expectedRevision) {
          return { ok: false, error: new RevisionMismatchError(request.key, toKeyValue(current)) };
        }
        return this.remove(current);
    }
  }

  private put(key: string, value: string, current: LogRow | undefined): Outcome {
    // A re-create after a delete still links to the tombstone, so compaction can find it.
    const prev = current?.id ?? this.sql.latestAt.get(key, Number.MAX_SAFE_INTEGER)?.id ?? 0;
    const createRevision = current ? toKeyValue(current).createRevision : 0;
    const id = Number(this.sql.insert.run(key, current ? 0 : 1, 0, createRevision, prev, value).lastInsertRowid);
    this.sql.setCurrent.run(key, id);
    const kv = toKeyValue({ id, name: key, created: 0, deleted: 0, create_revision: createRevision, prev_revision: prev, value });
    const event: WatchEvent = { type: 'put', kv, revision: id };
    if (current) event.prevKv = toKeyValue(current);
    return { ok: true, result: kv, event };
  }

  private remove(current: LogRow): Outcome {
    const prevKv = toKeyValue(current);
    const id = Number(
      this.sql.insert.run(current.name, 0, 1, prevKv.createRevision, current.id, current.value).lastInsertRowid,
    );
    this.sql.dropCurrent.run(current.name);
    const kv: KeyValue = { ...prevKv, modRevision: id };
    return { ok: true, result: { prevKv, revision: id }, event: { type: 'delete', kv, prevKv, revision: id } };
  }
}
