// The messages between ThreadedSqliteBackend (the API server's thread) and the thread that owns
// state.db (sqlite-worker.ts). Both sides send arrays: everything one side has to say in one turn
// of its event loop goes as one message, so a group commit of eight creates costs one message each
// way, not sixteen.
import {
  CompactedError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
  type KeyValue,
  type RangeOptions,
  type WatchEvent,
} from '../backend.js';
import { BackendClosedError } from '../errors.js';

/**
 * Backend calls that cross as they are; start, watch and close have messages of their own, and
 * the current and compacted revisions are known on the caller's side (threaded.ts).
 */
export type CallMethod = 'get' | 'create' | 'update' | 'delete' | 'range' | 'compact';

/** The worker's first message: the store opened at these revisions, or why it could not open. */
export type Started = { revision: number; compacted: number } | { startFailed: WireError };

export type ToWorker =
  | { op: 'call'; id: number; method: CallMethod; args: [string | number | undefined, (string | number | RangeOptions)?, number?] | [] }
  | { op: 'watch'; wid: number; prefix: string; afterRevision: number | undefined }
  | { op: 'cancel'; wid: number }
  | { op: 'close'; id: number };

export type FromWorker =
  | { op: 'result'; id: number; value: unknown }
  /** A create's or update's KeyValue without its value, which the caller sent and still holds. */
  | { op: 'written'; id: number; createRevision: number; modRevision: number }
  | { op: 'failed'; id: number; error: WireError }
  | { op: 'events'; wid: number; events: WatchEvent[] }
  | { op: 'ended'; wid: number; error: WireError };

/** An error as it crosses: the contract's errors keep their class and fields on the other side. */
export type WireError =
  | { name: 'KeyExistsError' | 'KeyNotFoundError'; message: string; key: string }
  | { name: 'RevisionMismatchError'; message: string; key: string; current: KeyValue }
  | { name: 'CompactedError' | 'FutureRevisionError'; message: string; requested: number; other: number }
  | { name: 'BackendClosedError'; message: string }
  | { name: 'Error'; message: string; code?: string };

export function toWire(err: unknown): WireError {
  if (err instanceof KeyExistsError) return { name: 'KeyExistsError', message: err.message, key: err.key };
  if (err instanceof KeyNotFoundError) return { name: 'KeyNotFoundError', message: err.message, key: err.key };
  if (err instanceof RevisionMismatchError) return { name: 'RevisionMismatchError', message: err.message, key: err.key, current: err.current };
  if (err instanceof CompactedError) return { name: 'CompactedError', message: err.message, requested: err.requested, other: err.compacted };
  if (err instanceof FutureRevisionError) return { name: 'FutureRevisionError', message: err.message, requested: err.requested, other: err.current };
  if (err instanceof BackendClosedError) return { name: 'BackendClosedError', message: err.message };
  const e = err as { message?: unknown; code?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  return { name: 'Error', message: typeof e?.message === 'string' ? e.message : String(err), ...(code ? { code } : {}) };
}

export function fromWire(w: WireError): Error {
  switch (w.name) {
    case 'KeyExistsError':
      return new KeyExistsError(w.key);
    case 'KeyNotFoundError':
      return new KeyNotFoundError(w.key);
    case 'RevisionMismatchError':
      return new RevisionMismatchError(w.key, w.current);
    case 'CompactedError':
      return new CompactedError(w.requested, w.other);
    case 'FutureRevisionError':
      return new FutureRevisionError(w.requested, w.other);
    case 'BackendClosedError':
      return new BackendClosedError();
    default: {
      const err = new Error(w.message) as Error & { code?: string };
      if (w.code) err.code = w.code;
      return err;
    }
  }
}

/**
 * Messages queued during one turn of the event loop and sent together at its end (setImmediate
 * runs after the turn's I/O callbacks and the microtasks they queued).
 */
export class Outbox<T> {
  private queue: T[] = [];
  private scheduled = false;

  constructor(private readonly send: (batch: T[]) => void) {}

  push(message: T): void {
    this.queue.push(message);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.send(batch);
  }
}
