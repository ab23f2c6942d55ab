// A backend whose implementation is loaded on start(). The etcd client pulls in gRPC and
// protobuf (hundreds of milliseconds of module loading); a cluster on SQLite should not pay that.
import type { Backend, RangeOptions, Watch, WatchOptions } from './backend.js';

export class LazyBackend implements Backend {
  private real: Backend | undefined;

  constructor(private readonly load: () => Promise<Backend>) {}

  private get b(): Backend {
    if (!this.real) throw new Error('the datastore is not started yet');
    return this.real;
  }

  async start(): Promise<void> {
    this.real ??= await this.load();
    await this.real.start();
  }
  currentRevision() {
    return this.b.currentRevision();
  }
  compactedRevision() {
    return this.b.compactedRevision();
  }
  get(key: string, revision?: number) {
    return this.b.get(key, revision);
  }
  create(key: string, value: string) {
    return this.b.create(key, value);
  }
  update(key: string, value: string, expectedRevision: number) {
    return this.b.update(key, value, expectedRevision);
  }
  delete(key: string, expectedRevision?: number) {
    return this.b.delete(key, expectedRevision);
  }
  range(prefix: string, opts?: RangeOptions) {
    return this.b.range(prefix, opts);
  }
  watch(prefix: string, opts: WatchOptions): Watch {
    return this.b.watch(prefix, opts);
  }
  compact(revision: number) {
    return this.b.compact(revision);
  }
  async close(): Promise<void> {
    await this.real?.close();
  }
}
