// The thread that owns state.db for ThreadedSqliteBackend: an ordinary SqliteBackend, driven by
// messages. SQLite's inserts, WAL frames and the fsync of every group commit run here, so the API
// server's thread spends that time on requests instead (bench/README.md, "API server").
import { parentPort, workerData } from 'node:worker_threads';
import type { Watch } from '../backend.js';
import { SqliteBackend } from './backend.js';
import { Outbox, toWire, type FromWorker, type Started, type ToWorker } from './thread-protocol.js';

const port = parentPort;
if (!port) throw new Error('sqlite-worker.js runs as a worker thread of ThreadedSqliteBackend');

const backend = new SqliteBackend((workerData as { file: string }).file);
const outbox = new Outbox<FromWorker>((batch) => port.postMessage(batch));
const watches = new Map<number, Watch>();

function call(m: Extract<ToWorker, { op: 'call' }>): Promise<unknown> {
  const [a, b, c] = m.args;
  switch (m.method) {
    case 'get':
      return backend.get(a as string, b as number | undefined);
    case 'create':
      return backend.create(a as string, b as string);
    case 'update':
      return backend.update(a as string, b as string, c as number);
    case 'delete':
      return backend.delete(a as string, b as number | undefined);
    case 'range':
      return backend.range(a as string, b as Parameters<SqliteBackend['range']>[1]);
    case 'compact':
      return backend.compact(a as number);
  }
}

function handle(m: ToWorker): void {
  switch (m.op) {
    case 'call': {
      let done: Promise<unknown>;
      try {
        done = call(m);
      } catch (err) {
        done = Promise.reject(err);
      }
      done.then(
        (value) => {
          // The caller holds the value it wrote; send back only what the store added.
          if (m.method === 'create' || m.method === 'update') {
            const kv = value as { createRevision: number; modRevision: number };
            outbox.push({ op: 'written', id: m.id, createRevision: kv.createRevision, modRevision: kv.modRevision });
          } else {
            outbox.push({ op: 'result', id: m.id, value });
          }
        },
        (err: unknown) => outbox.push({ op: 'failed', id: m.id, error: toWire(err) }),
      );
      return;
    }
    case 'watch':
      try {
        watches.set(
          m.wid,
          backend.watch(m.prefix, {
            afterRevision: m.afterRevision,
            onEvents: (events) => outbox.push({ op: 'events', wid: m.wid, events }),
            onError: (err) => {
              watches.delete(m.wid);
              outbox.push({ op: 'ended', wid: m.wid, error: toWire(err) });
            },
          }),
        );
      } catch (err) {
        outbox.push({ op: 'ended', wid: m.wid, error: toWire(err) });
      }
      return;
    case 'cancel':
      watches.get(m.wid)?.cancel();
      watches.delete(m.wid);
      return;
    case 'close':
      void backend.close().then(
        () => {
          // The other side ends this thread once it has the answer.
          outbox.push({ op: 'result', id: m.id, value: undefined });
          outbox.flush();
        },
        (err: unknown) => {
          outbox.push({ op: 'failed', id: m.id, error: toWire(err) });
          outbox.flush();
        },
      );
      return;
  }
}

const started = async (): Promise<Started> => {
  await backend.start();
  return { revision: await backend.currentRevision(), compacted: await backend.compactedRevision() };
};
started().then(
  (first) => {
    port.on('message', (batch: ToWorker[]) => {
      for (const m of batch) handle(m);
    });
    port.postMessage(first);
  },
  (err: unknown) => port.postMessage({ startFailed: toWire(err) } satisfies Started),
);
