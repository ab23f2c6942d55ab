// Conversions from log rows to the contract's KeyValue and WatchEvent shapes.
import type { KeyValue, WatchEvent } from '../backend.js';

/** One row of the `log` table. A create stores create_revision 0: its own id is not known until
 * the insert, and "0 = this row" saves a second write per create. */
export interface LogRow {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
}

/** A log row joined with the row it superseded (null columns when there is none). */
export interface LogRowWithPrev extends LogRow {
  prev_id: number | null;
  prev_created: number | null;
  prev_deleted: number | null;
  prev_create_revision: number | null;
  prev_value: string | null;
}

export function toKeyValue(row: LogRow): KeyValue {
  return {
    key: row.name,
    value: row.value,
    createRevision: row.create_revision === 0 ? row.id : row.create_revision,
    modRevision: row.id,
  };
}

export function toWatchEvent(row: LogRowWithPrev): WatchEvent {
  const event: WatchEvent = {
    type: row.deleted ? 'delete' : 'put',
    kv: toKeyValue(row),
    revision: row.id,
  };
  // A tombstone is not a value: a create that follows a delete has no prevKv, as in etcd.
  if (row.prev_id !== null && !row.prev_deleted) {
    event.prevKv = toKeyValue({
      id: row.prev_id,
      name: row.name,
      created: row.prev_created ?? 0,
      deleted: 0,
      create_revision: row.prev_create_revision ?? 0,
      prev_revision: 0,
      value: row.prev_value ?? '',
    });
  }
  return event;
}
