// What apiextensions-apiserver runs beside the CRD store, in the API server process: the naming
// and establishing controllers (status.acceptedNames, NamesAccepted, Established), the CRD
// handler's serving of each served version (a registry entry per version, replaced when the CRD
// changes, removed when it goes) and the finalizer controller (a deleted CRD's objects are
// deleted before the CRD).
import { computeCRDStatus, type CustomResourceDefinition } from '../../../api/apiextensions/index.js';
import type { KubeObject } from '../../../api/meta.js';
import { StatusError } from '../../../machinery/status.js';
import { logger } from '../../../util/log.js';
import { objectKey } from '../../resources.js';
import { newContext } from '../../store/context.js';
import { everything } from '../../store/selectors.js';
import type { Store } from '../../store/store.js';
import type { Registry } from '../registry.js';
import { customResourceEntry } from './customresource.js';

const log = logger('crd');
const retryMs = 200;
export const cleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';

type CRD = CustomResourceDefinition & KubeObject;

function established(crd: CRD): boolean {
  return (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
}

/** What a served version's entry depends on: rebuilt when any of it changes. */
function servingKey(crd: CRD): string {
  return JSON.stringify([crd.spec, crd.status?.acceptedNames]);
}

export class CRDController {
  /** CRD name → the served entries' keys and what they were built from. */
  private readonly serving = new Map<string, { key: string; versions: { group: string; version: string; resource: string }[] }>();
  private readonly busy = new Set<string>();
  private readonly again = new Set<string>();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly crds: Store,
    private readonly registry: Registry,
    /** The store of a served resource (the CRD's objects, to delete them). */
    private readonly storeOf: (group: string, resource: string) => Store | undefined,
  ) {}

  start(): void {
    this.unsubscribe = this.crds.cache.subscribe((evs) => {
      for (const ev of evs) this.enqueue(ev.object.obj.metadata.name!);
    });
    for (const o of this.crds.cache.objects.values()) this.enqueue(o.obj.metadata.name!);
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
  }

  private enqueue(name: string): void {
    if (this.stopped) return;
    if (this.busy.has(name)) {
      this.again.add(name);
      return;
    }
    this.busy.add(name);
    void this.run(name).finally(() => {
      this.busy.delete(name);
      if (this.again.delete(name)) this.enqueue(name);
    });
  }

  private async run(name: string): Promise<void> {
    // Bounded: a CRD whose objects cannot be deleted is retried, never spun on.
    for (let round = 0; round < 300 && !this.stopped; round++) {
      try {
        if (await this.sync(name)) return;
      } catch (e) {
        if (e instanceof StatusError && (e.code === 404 || e.code === 409)) {
          if (e.code === 404) return;
        } else log.error(`syncing CustomResourceDefinition ${name}`, e);
      }
      await new Promise((r) => setTimeout(r, retryMs));
    }
  }

  /** True when done; false to come back later. */
  private async sync(name: string): Promise<boolean> {
    const cur = (await this.crds.find(undefined, name))?.obj as CRD | undefined;
    if (!cur) {
      this.unserve(name);
      return true;
    }
    if (cur.metadata.deletionTimestamp) return this.finalize(cur);
    const others = [...this.crds.cache.objects.values()].map((o) => o.obj as CRD);
    const status = computeCRDStatus(cur, others);
    if (JSON.stringify(status) !== JSON.stringify(cur.status ?? {})) {
      await this.crds.guaranteedUpdate(newContext(), undefined, name, 'status', (now) => {
        if (!now) throw new StatusError(404, 'NotFound', `${name} is gone`);
        const crd = now as CRD;
        crd.status = computeCRDStatus(crd, others);
        return crd;
      });
      return true; // the write comes back as an event, and serving follows it
    }
    if (established(cur)) this.serve(cur);
    return true;
  }

  private serve(crd: CRD): void {
    const name = crd.metadata.name!;
    const key = servingKey(crd);
    if (this.serving.get(name)?.key === key) return;
    this.unserve(name);
    const versions: { group: string; version: string; resource: string }[] = [];
    // Read from the cache on each create, as upstream's CRD handler reads its lister.
    const stored = objectKey(this.crds.info, undefined, name);
    const terminating = () => !!this.crds.cache.objects.get(stored)?.obj.metadata.deletionTimestamp;
    for (const v of crd.spec?.versions ?? []) {
      if (!v.served) continue;
      try {
        const e = customResourceEntry(crd, v, terminating);
        // Another CRD (or a built-in kind) already serving these names keeps them.
        if (this.registry.find(e.info.group, e.info.version, e.info.resource)) continue;
        this.registry.add(e);
        versions.push({ group: e.info.group, version: e.info.version, resource: e.info.resource });
      } catch (err) {
        log.error(`serving ${name} version ${v.name ?? ''}`, err);
      }
    }
    this.serving.set(name, { key, versions });
  }

  private unserve(name: string): void {
    const s = this.serving.get(name);
    if (!s) return;
    this.serving.delete(name);
    for (const v of s.versions) this.registry.remove(v.group, v.version, v.resource);
  }

  /** The finalizer controller: delete every object of the CRD, then let the CRD go. */
  private async finalize(crd: CRD): Promise<boolean> {
    const name = crd.metadata.name!;
    if (!(crd.metadata.finalizers ?? []).includes(cleanupFinalizer)) return true;
    const store = this.storeOf(crd.spec?.group ?? '', crd.spec?.names?.plural ?? '');
    if (store) {
      const ctx = newContext();
      const { items } = await store.list(undefined, { matcher: everything });
      let left = 0;
      for (const o of items) {
        try {
          const r = await store.delete(ctx, o.obj.metadata.namespace, o.obj.metadata.name!, { propagationPolicy: 'Background' });
          if (!r.deleted) left++;
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) throw e;
        }
      }
      if (left > 0) return false;
    }
    this.unserve(name);
    await this.crds.guaranteedUpdate(newContext(), undefined, name, undefined, (now) => {
      if (!now) throw new StatusError(404, 'NotFound', `${name} is gone`);
      now.metadata.finalizers = (now.metadata.finalizers ?? []).filter((f) => f !== cleanupFinalizer);
      return now;
    });
    return true;
  }
}
