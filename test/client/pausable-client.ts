// A pass-through Client whose watches a test can cut and hold back, as a network partition
// would: pause() ends every open watch and parks new ones until resume(). Everything else goes
// straight to the real client.
import type { KubeObject } from '../../src/api/meta.js';
import type { Client, WatchEvent, WatchHandle, WatchOptions, ResourceRef } from '../../src/client/client.js';

export class PausableClient implements Client {
  private parked: (() => void)[] | undefined;
  private readonly open = new Set<WatchHandle>();
  /** resourceVersions the watches asked for, newest last. */
  readonly watchedFrom: (string | undefined)[] = [];
  lists = 0;

  constructor(private readonly inner: Client) {}

  get: Client['get'] = (...a) => this.inner.get(...a);
  list: Client['list'] = (...a) => {
    this.lists++;
    return this.inner.list(...a);
  };
  create: Client['create'] = (...a) => this.inner.create(...a);
  update: Client['update'] = (...a) => this.inner.update(...a);
  patch: Client['patch'] = (...a) => this.inner.patch(...a);
  delete: Client['delete'] = (...a) => this.inner.delete(...a);

  watch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    opts: WatchOptions,
    onEvent: (ev: WatchEvent<T>) => void,
    onClose?: (err?: Error) => void,
  ): WatchHandle {
    let real: WatchHandle | undefined;
    let cancelled = false;
    const begin = () => {
      if (cancelled) return;
      this.watchedFrom.push(opts.resourceVersion);
      const h: WatchHandle = this.inner.watch(res, namespace, opts, onEvent, (err) => {
        this.open.delete(h);
        onClose?.(err);
      });
      real = h;
      this.open.add(h);
    };
    if (this.parked) this.parked.push(begin);
    else begin();
    return {
      stop: () => {
        if (real) real.stop();
        else if (!cancelled) {
          cancelled = true;
          onClose?.();
        }
      },
    };
  }

  pause(): void {
    this.parked ??= [];
    for (const h of [...this.open]) h.stop();
  }

  resume(): void {
    const parked = this.parked ?? [];
    this.parked = undefined;
    for (const begin of parked) begin();
  }
}
