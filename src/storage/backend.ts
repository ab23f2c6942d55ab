// The storage contract every backend meets, shaped after etcd's KV API as kine serves it: every
// write returns a new cluster-wide revision; conditional writes compare a key's modRevision;
// ranges are consistent at a revision; watches replay history from a revision and then stream.
// Everything above this file (apiserver registries, watch caches) depends on this file only, so
// SQLite and etcd are interchangeable.

/** One stored key at one revision. `value` is the serialized object (JSON text). */
export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this key (etcd create_revision). */
  createRevision: number;
  /** Revision of the last write to this key (etcd mod_revision); the object's resourceVersion. */
  modRevision: number;
}

export interface RangeOptions {
  /** Start listing at this key (inclusive); used for `continue` tokens. */
  startKey?: string;
  /** At most this many keys; 0 or absent = all. */
  limit?: number;
  /** Read as of this revision (must be ≥ the compacted revision); 0 or absent = latest. */
  revision?: number;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** The revision the range was read at. */
  revision: number;
  /** True when keys beyond `limit` remain under the prefix. */
  more: boolean;
  /** Number of keys under the prefix at that revision (ignoring startKey and limit). */
  count: number;
}

export type WatchEventType = 'put' | 'delete';

export interface WatchEvent {
  type: WatchEventType;
  /** The new value for put; for delete, the key with the deletion's revision as modRevision and the last value. */
  kv: KeyValue;
  /** The value before this event, if the key existed. */
  prevKv?: KeyValue;
  /** The revision of this event. */
  revision: number;
}

export interface Watch {
  /** Stop the watch; no more events are delivered afterwards. */
  cancel(): void;
}

export interface WatchOptions {
  /** Deliver every event with revision > this (etcd: start_revision = this + 1). Absent = from now. */
  afterRevision?: number;
  /** Events are delivered in revision order, in batches. */
  onEvents(events: WatchEvent[]): void;
  /** The watch ended on its own (compacted, backend closed); no further events. */
  onError?(err: Error): void;
}

/** Thrown by create when the key exists. */
export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
    this.name = 'KeyExistsError';
  }
}

/** Thrown by update/delete when the key is absent. */
export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
    this.name = 'KeyNotFoundError';
  }
}

/** Thrown by update/delete when the key's modRevision is not the expected one; carries the current value. */
export class RevisionMismatchError extends Error {
  constructor(
    readonly key: string,
    readonly current: KeyValue,
  ) {
    super(`revision mismatch on ${key}: now at ${current.modRevision}`);
    this.name = 'RevisionMismatchError';
  }
}

/** Thrown by range/watch when asked for a revision below the compaction point. */
export class CompactedError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
    this.name = 'CompactedError';
  }
}

/** Thrown by range when asked for a revision newer than the store has. */
export class FutureRevisionError extends Error {
  constructor(
    readonly requested: number,
    readonly current: number,
  ) {
    super(`required revision ${requested} is a future revision (current ${current})`);
    this.name = 'FutureRevisionError';
  }
}

export interface Backend {
  /** Open files, connect, create schema; resolves when ready to serve. */
  start(): Promise<void>;
  /** The latest revision written (0 for an empty store). */
  currentRevision(): Promise<number>;
  /** The oldest revision still readable and watchable. */
  compactedRevision(): Promise<number>;
  get(key: string, revision?: number): Promise<{ kv: KeyValue | undefined; revision: number }>;
  /** Create-if-absent. Resolves with the new key-value (its modRevision is the write's revision). */
  create(key: string, value: string): Promise<KeyValue>;
  /** Update-if-revision: succeeds only if the key's modRevision equals `expectedRevision`. */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;
  /** Delete, optionally only if the key's modRevision equals `expectedRevision`. Resolves with the deleted value and the deletion's revision. */
  delete(key: string, expectedRevision?: number): Promise<{ prevKv: KeyValue; revision: number }>;
  /** Keys with the given prefix, in key order. */
  range(prefix: string, opts?: RangeOptions): Promise<RangeResult>;
  watch(prefix: string, opts: WatchOptions): Watch;
  /** Forget history at and below `revision` (latest values are kept). */
  compact(revision: number): Promise<void>;
  /** Flush and release everything; pending watches end. */
  close(): Promise<void>;
}

/** Backends register by URL scheme ("sqlite", "etcd"), as kine's endpoints do. */
export type BackendFactory = (url: URL, opts: { dataDir: string }) => Backend;
