// Empties a namespace that is being deleted, then removes its `kubernetes` finalizer so the
// namespace itself goes — the work upstream's namespace controller does.
import type { Namespace } from '../../api/core.js';
import { StatusError } from '../../machinery/status.js';
import { newContext } from '../store/context.js';
import { everything } from '../store/selectors.js';
import type { Store } from '../store/store.js';
import { logger } from '../../util/log.js';

const log = logger('namespace');
const retryMs = 500;

export class NamespaceCleanup {
  private readonly busy = new Set<string>();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly namespaces: Store,
    /** The stores of every namespaced resource served now (the registry can change). */
    private readonly contents: () => Store[],
  ) {}

  start(): void {
    this.unsubscribe = this.namespaces.cache.subscribe((evs) => {
      for (const ev of evs) if (ev.type !== 'DELETED' && ev.object.obj.metadata.deletionTimestamp) this.enqueue(ev.object.obj.metadata.name!);
    });
    for (const o of this.namespaces.cache.objects.values()) {
      if (o.obj.metadata.deletionTimestamp) this.enqueue(o.obj.metadata.name!);
    }
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
  }

  private enqueue(name: string): void {
    if (this.busy.has(name) || this.stopped) return;
    this.busy.add(name);
    void this.run(name).finally(() => this.busy.delete(name));
  }

  private async run(name: string): Promise<void> {
    for (let round = 0; !this.stopped; round++) {
      try {
        const left = await this.deleteContents(name);
        if (left === 0) {
          await this.finalize(name);
          log.info(`namespace ${name} deleted`);
          return;
        }
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) return;
        log.error(`cleaning up namespace ${name}`, e);
      }
      await new Promise((r) => setTimeout(r, retryMs));
    }
  }

  /** Deletes everything in the namespace; returns how many objects are still there. */
  private async deleteContents(ns: string): Promise<number> {
    let left = 0;
    const ctx = newContext();
    for (const store of this.contents()) {
      const { items } = await store.list(ns, { matcher: everything });
      for (const o of items) {
        left++;
        if (o.obj.metadata.deletionTimestamp) continue;
        try {
          const r = await store.delete(ctx, ns, o.obj.metadata.name!, { propagationPolicy: 'Background' });
          if (r.deleted) left--;
        } catch (e) {
          if (e instanceof StatusError && e.code === 404) left--;
          else throw e;
        }
      }
    }
    return left;
  }

  private async finalize(name: string): Promise<void> {
    await this.namespaces.guaranteedUpdate(newContext(), undefined, name, undefined, (cur) => {
      if (!cur) throw new StatusError(404, 'NotFound', `namespace ${name} is gone`);
      const ns = cur as Namespace;
      ns.spec = { ...(ns.spec ?? {}), finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== 'kubernetes') };
      return ns;
    });
  }
}
