// The SQLite datastore on a thread of its own. better-sqlite3 is synchronous: on the API server's
// thread every group commit (B-tree inserts, WAL frames, the fsync that makes it durable) stopped
// request handling for its whole length, about a quarter of that thread's time under a stream of
// creates. Here SqliteBackend runs unchanged in a worker thread and this class forwards the
// Backend contract to it; a write's promise still resolves only after its commit is on disk, and a
// commit's watch events arrive before the answers to the writes in it, as they do in-process.
// Every write goes through this object, so it knows the current revision without asking: the
// newest revision any answer or event has brought. That is what "current" means to a caller
// (nothing newer is observable here), and a watch cache's sync() then costs no round trip.
import { Worker } from 'node:worker_threads';
import type { Backend, KeyValue, RangeOptions, RangeResult, Watch, WatchOptions } from '../backend.js';
import { BackendClosedError } from '../errors.js';
import { fromWire, Outbox, type CallMethod, type FromWorker, type Started, type ToWorker } from './thread-protocol.js';

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** For create and update: the key and value sent, to make the KeyValue the answer leaves out. */
  key?: string;
  value?: string;
}

export class ThreadedSqliteBackend implements Backend {
  private worker: Worker | undefined;
  private starting: Promise<void> | undefined;
  private closed = false;
  private failed: Error | undefined;
  private nextId = 1;
  private revision = 0;
  private compacted = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly watches = new Map<number, WatchOptions>();
  private readonly outbox = new Outbox<ToWorker>((batch) => this.worker?.postMessage(batch));

  /** `file`: the database file's path (the worker opens it; ':memory:' works too, for tests). */
  constructor(readonly file: string) {}

  start(): Promise<void> {
    if (this.closed) return Promise.reject(new BackendClosedError());
    // A start that failed (the file in use by another process) may be tried again.
    this.starting ??= this.spawn().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  private spawn(): Promise<void> {
    // The bundle and the unbundled build both put sqlite-worker.js beside the code of this class.
    const worker = new Worker(new URL('./sqlite-worker.js', import.meta.url), { workerData: { file: this.file } });
    return new Promise<void>((resolve, reject) => {
      const early = (err: Error) => reject(err);
      worker.once('error', early);
      worker.once('message', (first: Started) => {
        worker.off('error', early);
        if ('startFailed' in first) {
          void worker.terminate();
          reject(fromWire(first.startFailed));
          return;
        }
        this.revision = first.revision;
        this.compacted = first.compacted;
        this.worker = worker;
        // Like a store in this thread, the worker keeps the process alive only while a call is
        // waiting for it (see call and settled); an idle backend or an open watch does not.
        worker.unref();
        worker.on('message', (batch: FromWorker[]) => this.receive(batch));
        worker.on('error', (err) => this.fail(err));
        worker.on('exit', (code) => this.fail(new Error(`the SQLite thread exited (code ${code})`)));
        resolve();
      });
    });
  }

  currentRevision(): Promise<number> {
    return this.known(() => this.revision);
  }

  compactedRevision(): Promise<number> {
    return this.known(() => this.compacted);
  }

  /** A value this side keeps, refused as a call would be once the thread is closed or gone. */
  private async known(value: () => number): Promise<number> {
    this.usable();
    return value();
  }

  get(key: string, revision?: number): Promise<{ kv: KeyValue | undefined; revision: number }> {
    return this.call('get', [key, revision]) as Promise<{ kv: KeyValue | undefined; revision: number }>;
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.call('create', [key, value]) as Promise<KeyValue>;
  }

  update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return this.call('update', [key, value, expectedRevision]) as Promise<KeyValue>;
  }

  delete(key: string, expectedRevision?: number): Promise<{ prevKv: KeyValue; revision: number }> {
    return this.call('delete', [key, expectedRevision]) as Promise<{ prevKv: KeyValue; revision: number }>;
  }

  range(prefix: string, opts?: RangeOptions): Promise<RangeResult> {
    return this.call('range', [prefix, opts ?? {}]) as Promise<RangeResult>;
  }

  async compact(revision: number): Promise<void> {
    await this.call('compact', [revision]);
    if (revision > this.compacted) this.compacted = revision;
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    this.usable();
    const wid = this.nextId++;
    this.watches.set(wid, opts);
    this.outbox.push({ op: 'watch', wid, prefix, afterRevision: opts.afterRevision });
    return {
      cancel: () => {
        if (!this.watches.delete(wid)) return;
        this.outbox.push({ op: 'cancel', wid });
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.starting?.catch(() => undefined);
    const worker = this.worker;
    if (!worker || this.failed) {
      this.endAll(new BackendClosedError());
      if (worker) await worker.terminate();
      return;
    }
    // Writes already sent commit first: the worker drains its writer before closing the file.
    const id = this.nextId++;
    worker.ref();
    const done = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.outbox.push({ op: 'close', id });
    try {
      await done;
    } finally {
      this.endAll(new BackendClosedError());
      this.worker = undefined;
      await worker.terminate();
    }
  }

  private call(method: CallMethod, args: Extract<ToWorker, { op: 'call' }>['args']): Promise<unknown> {
    try {
      this.usable();
    } catch (err) {
      return Promise.reject(err);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const p: Pending = { resolve, reject };
      if (method === 'create' || method === 'update') {
        p.key = args[0] as string;
        p.value = args[1] as string;
      }
      if (this.pending.size === 0) this.worker!.ref();
      this.pending.set(id, p);
      this.outbox.push({ op: 'call', id, method, args });
    });
  }

  private usable(): void {
    if (this.closed) throw new BackendClosedError();
    if (this.failed) throw this.failed;
    if (!this.worker) throw new Error('sqlite backend used before start()');
  }

  /** One batch from the worker, in the order it was sent: a commit's events before its answers. */
  private receive(batch: FromWorker[]): void {
    for (const m of batch) {
      switch (m.op) {
        case 'events': {
          const last = m.events[m.events.length - 1]!.revision;
          if (last > this.revision) this.revision = last;
          const opts = this.watches.get(m.wid);
          if (!opts) break;
          try {
            opts.onEvents(m.events);
          } catch (err) {
            // As in-process (watch.ts): a handler that throws ends its own watch, and learns why.
            this.watches.delete(m.wid);
            this.outbox.push({ op: 'cancel', wid: m.wid });
            opts.onError?.(err instanceof Error ? err : new Error(String(err)));
          }
          break;
        }
        case 'ended': {
          const opts = this.watches.get(m.wid);
          this.watches.delete(m.wid);
          opts?.onError?.(fromWire(m.error));
          break;
        }
        default: {
          const p = this.pending.get(m.id);
          if (!p) break;
          this.pending.delete(m.id);
          if (this.pending.size === 0) this.worker?.unref();
          if (m.op === 'failed') {
            p.reject(fromWire(m.error));
          } else if (m.op === 'written') {
            if (m.modRevision > this.revision) this.revision = m.modRevision;
            p.resolve({ key: p.key!, value: p.value!, createRevision: m.createRevision, modRevision: m.modRevision });
          } else {
            // A delete's answer carries its revision; a read's carries the revision it was read at.
            const at = (m.value as { revision?: unknown } | undefined)?.revision;
            if (typeof at === 'number' && at > this.revision) this.revision = at;
            p.resolve(m.value);
          }
        }
      }
    }
  }

  /** The thread died (a bug or a fatal SQLite error): nothing more can be served from it. */
  private fail(err: Error): void {
    if (!this.worker) return;
    this.worker = undefined;
    if (!this.closed) this.failed = err;
    this.endAll(err);
  }

  private endAll(err: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(err);
    const watches = [...this.watches.values()];
    this.watches.clear();
    for (const w of watches) w.onError?.(err);
  }
}
