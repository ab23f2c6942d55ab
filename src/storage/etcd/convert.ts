// Translation between etcd's wire shapes (int64 as decimal strings, bytes as Buffers, errors as
// gRPC messages) and the storage contract.
import type { IEvent, IKeyValue } from 'etcd3';
import { CompactedError, FutureRevisionError, type KeyValue, type WatchEvent } from '../backend.js';

export function toKeyValue(kv: IKeyValue): KeyValue {
  return {
    key: kv.key.toString(),
    value: kv.value.toString(),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
  };
}

export function toWatchEvent(e: IEvent): WatchEvent {
  const revision = Number(e.kv.mod_revision);
  const prevKv = e.prev_kv ? toKeyValue(e.prev_kv) : undefined;
  if (e.type === 'Delete') {
    // etcd's delete event carries only the key and revision; the contract wants the last value,
    // which the watch asked etcd to include as prev_kv.
    const kv: KeyValue = prevKv
      ? { ...prevKv, modRevision: revision }
      : { key: e.kv.key.toString(), value: '', createRevision: 0, modRevision: revision };
    return prevKv ? { type: 'delete', kv, prevKv, revision } : { type: 'delete', kv, revision };
  }
  const event: WatchEvent = { type: 'put', kv: toKeyValue(e.kv), revision };
  if (prevKv) event.prevKv = prevKv;
  return event;
}

// etcd reports both as OutOfRange with these texts (mvcc.ErrCompacted, mvcc.ErrFutureRev).
const COMPACTED = 'required revision has been compacted';
const FUTURE = 'required revision is a future revision';

export function isCompacted(err: unknown): boolean {
  return err instanceof Error && err.message.includes(COMPACTED);
}

export function isFutureRevision(err: unknown): boolean {
  return err instanceof Error && err.message.includes(FUTURE);
}

/** Rewrite etcd's revision errors into the contract's, which carry the revisions involved. */
export async function revisionError(
  err: unknown,
  requested: number,
  lookup: { current(): Promise<number>; compacted(): Promise<number> },
): Promise<unknown> {
  if (isCompacted(err)) return new CompactedError(requested, await lookup.compacted());
  if (isFutureRevision(err)) return new FutureRevisionError(requested, await lookup.current());
  return err;
}
