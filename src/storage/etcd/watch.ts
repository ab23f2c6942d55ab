// A contract Watch on top of an etcd watcher. etcd does the replay-then-live hand-over itself:
// a watch with start_revision streams history from that revision and continues live on the
// same stream, and etcd3 re-subscribes from the last seen revision after a disconnect, so
// events arrive once each, in order. What is left here is the shape of events and errors.
import type { Etcd3, IWatchResponse, Watcher } from 'etcd3';
import { CompactedError, type Watch, type WatchOptions } from '../backend.js';
import { toWatchEvent } from './convert.js';

export interface WatchContext {
  client: Etcd3;
  /** Newest revision this backend has seen; "from now" starts after it. */
  lastSeenRevision(): number;
  compactedRevision(): Promise<number>;
  /** Called once the watch is over, so close() knows which watches are still open. */
  forget(w: EtcdWatch): void;
}

export class EtcdWatch implements Watch {
  private watcher: Watcher | undefined;
  private ended = false;
  private readonly after: number;

  constructor(
    private readonly ctx: WatchContext,
    prefix: string,
    private readonly opts: WatchOptions,
  ) {
    this.after = opts.afterRevision ?? ctx.lastSeenRevision();
    const builder = ctx.client.watch().prefix(prefix).withPreviousKV();
    // start_revision 0 means "from now" to etcd, so a start at the very beginning (after 0)
    // must be asked for as revision 1.
    if (opts.afterRevision !== undefined || this.after > 0) builder.startRevision(String(this.after + 1));
    builder.create().then(
      (watcher) => {
        if (this.ended) {
          void watcher.cancel().catch(() => undefined);
          return;
        }
        this.watcher = watcher;
        watcher.on('data', (res: IWatchResponse) => this.deliver(res));
        watcher.on('error', (err: Error) => void this.failed(err));
      },
      (err: Error) => void this.failed(err),
    );
  }

  cancel(): void {
    if (this.ended) return;
    this.ended = true;
    this.ctx.forget(this);
    void this.watcher?.cancel().catch(() => undefined);
  }

  /** End the watch from the backend's side (close) and tell the watcher why. */
  end(err: Error): void {
    if (this.ended) return;
    this.cancel();
    this.opts.onError?.(err);
  }

  private deliver(res: IWatchResponse): void {
    if (this.ended || res.events.length === 0) return;
    const events = res.events.map(toWatchEvent).filter((e) => e.revision > this.after);
    if (events.length === 0) return;
    try {
      this.opts.onEvents(events);
    } catch (err) {
      // Same rule as the SQLite backend: a handler that throws ends its own watch only.
      this.end(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private async failed(err: Error): Promise<void> {
    if (this.ended) return;
    // etcd cancels a watch whose start revision was compacted without a usable reason text
    // (etcd3 surfaces it as "Watcher canceled: "), so ask where the compaction point is.
    let reason: Error = err;
    try {
      const compacted = await this.ctx.compactedRevision();
      if (this.after < compacted) reason = new CompactedError(this.after, compacted);
    } catch {
      // Keep the original error when etcd cannot be asked.
    }
    this.end(reason);
  }
}
