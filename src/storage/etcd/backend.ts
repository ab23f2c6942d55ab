// The etcd Backend: etcd's own revisions are the revisions, conditional writes are etcd
// transactions comparing mod_revision (as the Kubernetes apiserver's etcd3 store does), and
// ranges, watches and compaction are etcd's. Several kubesvc processes can share one etcd.
import { Etcd3, type IKeyValue, type IRangeRequest, type IResponseHeader, type ICompare } from 'etcd3';
import {
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
  type Backend,
  type KeyValue,
  type RangeOptions,
  type RangeResult,
  type Watch,
  type WatchOptions,
} from '../backend.js';
import { BackendClosedError } from '../errors.js';
import { compareKeys } from '../prefix.js';
import { isCompacted, isFutureRevision, revisionError, toKeyValue } from './convert.js';
import { prefixRange } from './keys.js';
import { EtcdWatch } from './watch.js';

// Any single key serves to ask etcd about revisions: it checks the revision before looking.
const PROBE_KEY = Buffer.from('/kubesvc/revision-probe');

const exists = (key: Buffer): ICompare => ({ key, target: 'Version', result: 'Greater', version: 0 });
const modIs = (key: Buffer, revision: number): ICompare => ({
  key,
  target: 'Mod',
  result: 'Equal',
  mod_revision: revision,
});

export class EtcdBackend implements Backend {
  private client: Etcd3 | undefined;
  private closed = false;
  private lastSeen = 0;
  /** A revision known to be readable; compaction only moves forward, so searches start here. */
  private readableFrom = 1;
  private readonly watches = new Set<EtcdWatch>();

  constructor(readonly endpoints: string[]) {}

  async start(): Promise<void> {
    if (this.closed) throw new BackendClosedError();
    if (this.client) return;
    this.client = new Etcd3({
      hosts: this.endpoints,
      dialTimeout: 5000,
      // gRPC's default 4 MB reply limit would fail any list of a few thousand objects; the
      // Kubernetes apiserver lifts it for etcd the same way.
      grpcOptions: { 'grpc.max_receive_message_length': -1 },
    });
    try {
      await this.currentRevision();
    } catch (err) {
      this.client.close();
      this.client = undefined;
      throw new Error(`cannot reach etcd at ${this.endpoints.join(',')}: ${(err as Error).message}`);
    }
  }

  async currentRevision(): Promise<number> {
    const res = await this.kv().range({ key: PROBE_KEY, limit: 1, keys_only: true });
    return this.seen(res.header);
  }

  /**
   * etcd has no call that names its compaction point, but a read below it fails and a read at or
   * above it succeeds, so the point is found by bisecting between the last known readable
   * revision and the current one (about log2(new revisions) cheap single-key reads).
   */
  async compactedRevision(): Promise<number> {
    let hi = await this.currentRevision();
    let lo = Math.min(this.readableFrom, hi);
    if (await this.readable(lo)) {
      if (lo <= 1) return 0;
      return lo;
    }
    // Invariant: lo unreadable, hi readable (the current revision always is).
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.readable(mid)) hi = mid;
      else lo = mid;
    }
    this.readableFrom = hi;
    return hi;
  }

  async get(key: string, revision?: number): Promise<{ kv: KeyValue | undefined; revision: number }> {
    const res = await this.read({ key: Buffer.from(key), ...(revision ? { revision } : {}) }, revision ?? 0);
    const at = revision || this.seen(res.header);
    const kv = res.kvs[0];
    return { kv: kv ? toKeyValue(kv) : undefined, revision: at };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const k = Buffer.from(key);
    const res = await this.kv().txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value: Buffer.from(value) } }],
    });
    const revision = this.seen(res.header);
    if (!res.succeeded) throw new KeyExistsError(key);
    return { key, value, createRevision: revision, modRevision: revision };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    const k = Buffer.from(key);
    const res = await this.kv().txn({
      compare: [exists(k), modIs(k, expectedRevision)],
      success: [{ request_put: { key: k, value: Buffer.from(value), prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    const revision = this.seen(res.header);
    if (!res.succeeded) throw conflict(key, res.responses[0]?.response_range.kvs[0]);
    const prev = res.responses[0]!.response_put.prev_kv;
    return { key, value, createRevision: Number(prev.create_revision), modRevision: revision };
  }

  async delete(key: string, expectedRevision?: number): Promise<{ prevKv: KeyValue; revision: number }> {
    const k = Buffer.from(key);
    const compare = expectedRevision === undefined ? [exists(k)] : [exists(k), modIs(k, expectedRevision)];
    const res = await this.kv().txn({
      compare,
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    const revision = this.seen(res.header);
    if (!res.succeeded) throw conflict(key, res.responses[0]?.response_range.kvs[0]);
    return { prevKv: toKeyValue(res.responses[0]!.response_delete_range.prev_kvs[0]!), revision };
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    const req: IRangeRequest = { ...prefixRange(prefix, opts.startKey) };
    if (opts.limit && opts.limit > 0) req.limit = opts.limit;
    if (opts.revision) req.revision = opts.revision;
    const res = await this.read(req, opts.revision ?? 0);
    const at = opts.revision || this.seen(res.header);
    let count = Number(res.count);
    // etcd counts from the start key; the contract counts the whole prefix, at the same revision.
    if (opts.startKey && compareKeys(opts.startKey, prefix) > 0) {
      const all = await this.read({ ...prefixRange(prefix), revision: at, count_only: true }, at);
      count = Number(all.count);
    }
    return { kvs: res.kvs.map(toKeyValue), revision: at, more: res.more, count };
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    const client = this.etcd();
    const w: EtcdWatch = new EtcdWatch(
      {
        client,
        lastSeenRevision: () => this.lastSeen,
        compactedRevision: () => this.compactedRevision(),
        forget: (done) => this.watches.delete(done),
      },
      prefix,
      opts,
    );
    this.watches.add(w);
    return w;
  }

  async compact(revision: number): Promise<void> {
    try {
      // physical: answer only once the history is really gone, as SQLite's compact does.
      await this.kv().compact({ revision, physical: true });
      this.readableFrom = Math.max(this.readableFrom, revision);
    } catch (err) {
      // Compacting at or below the current point is a no-op in this contract, not an error.
      if (isCompacted(err)) return;
      if (isFutureRevision(err)) throw new FutureRevisionError(revision, await this.currentRevision());
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watches]) w.end(new BackendClosedError());
    this.client?.close();
    this.client = undefined;
  }

  private async read(req: IRangeRequest, requested: number) {
    try {
      return await this.kv().range(req);
    } catch (err) {
      throw await revisionError(err, requested, {
        current: () => this.currentRevision(),
        compacted: () => this.compactedRevision(),
      });
    }
  }

  private async readable(revision: number): Promise<boolean> {
    try {
      await this.kv().range({ key: PROBE_KEY, limit: 1, keys_only: true, revision });
      return true;
    } catch (err) {
      if (isCompacted(err)) return false;
      throw err;
    }
  }

  private seen(header: IResponseHeader): number {
    const revision = Number(header.revision);
    if (revision > this.lastSeen) this.lastSeen = revision;
    return revision;
  }

  private kv() {
    return this.etcd().kv;
  }

  private etcd(): Etcd3 {
    if (this.closed) throw new BackendClosedError();
    if (!this.client) throw new Error('etcd backend used before start()');
    return this.client;
  }
}

function conflict(key: string, current: IKeyValue | undefined): Error {
  return current ? new RevisionMismatchError(key, toKeyValue(current)) : new KeyNotFoundError(key);
}
