// The garbage collector (upstream's pkg/controller/garbagecollector): watches every resource it
// knows, indexes objects by uid and by the uids of their owners, and for each object whose
// owners changed decides (decide.ts) whether it must go. Owners with the foregroundDeletion
// finalizer wait until their blocking dependents are gone; owners with the orphan finalizer have
// their dependents' references removed first. Owner lookups miss the cache for owners created a
// moment ago, so a miss is confirmed with a live GET before anything is deleted.
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { Client, ResourceRef } from '../../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../../client/informer-types.js';
import { R } from '../../client/resources.js';
import { isConflict, isNotFound } from '../common/errors.js';
import { QueueWorker } from '../common/queue-worker.js';
import {
  blockingDependents,
  decide,
  foregroundDeletionFinalizer,
  hasFinalizer,
  orphanFinalizer,
  withoutFinalizer,
  type OwnerState,
} from './decide.js';

const byUid = 'uid';
const byOwnerUid = 'ownerUid';

/** Resources the collector watches by default: the workload chain, Service networking and StatefulSets' claims. */
export const defaultGCResources: ResourceRef[] = [
  R.deployments, R.replicasets, R.statefulsets, R.daemonsets, R.controllerrevisions, R.jobs, R.cronjobs, R.pods, R.services, R.endpointslices, R.endpoints,
  R.persistentvolumeclaims,
];

export interface GarbageCollectorOptions {
  resources?: ResourceRef[];
  queue?: WorkQueue<string>;
}

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

export class GarbageCollector extends QueueWorker {
  private readonly informers = new Map<string, Informer>();
  private readonly resources: ResourceRef[];

  constructor(
    private readonly client: Client,
    factory: InformerFactory,
    opts: GarbageCollectorOptions = {},
  ) {
    super('garbagecollector', opts.queue);
    this.resources = opts.resources ?? defaultGCResources;
    for (const res of this.resources) {
      const inf = factory.informer(res);
      inf.addIndex(byUid, (o) => (o.metadata.uid ? [o.metadata.uid] : []));
      inf.addIndex(byOwnerUid, (o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid));
      inf.addEventHandler({
        onAdd: (o) => this.observe(res, o),
        onUpdate: (_old, o) => this.observe(res, o),
        onDelete: (o) => this.observeDeleted(o),
      });
      this.informers.set(this.resKey(res.group, res.kind), inf);
    }
  }

  private resKey(group: string, kind: string): string {
    return `${group}/${kind}`;
  }

  private itemKey(res: ResourceRef, o: KubeObject): string {
    return `${this.resKey(res.group, res.kind)}|${o.metadata.namespace ?? ''}|${o.metadata.name ?? ''}`;
  }

  private enqueueByUid(uid: string): void {
    for (const [k, inf] of this.informers) {
      for (const o of inf.lister.byIndex(byUid, uid)) this.queue.add(`${k}|${o.metadata.namespace ?? ''}|${o.metadata.name ?? ''}`);
    }
  }

  private observe(res: ResourceRef, o: KubeObject): void {
    const m = o.metadata;
    if (m.ownerReferences?.length || (m.deletionTimestamp && (hasFinalizer(o, foregroundDeletionFinalizer) || hasFinalizer(o, orphanFinalizer)))) {
      this.queue.add(this.itemKey(res, o));
    }
    // An owner deleting in the foreground re-checks whenever one of its dependents changes.
    for (const r of m.ownerReferences ?? []) {
      for (const owner of this.cachedByUid(r.uid)) if (owner.metadata.deletionTimestamp) this.enqueueByUid(r.uid);
    }
  }

  private observeDeleted(o: KubeObject): void {
    const uid = o.metadata.uid;
    if (uid) for (const dep of this.dependentsOf(uid)) this.enqueueObject(dep);
    for (const r of o.metadata.ownerReferences ?? []) this.enqueueByUid(r.uid);
  }

  private enqueueObject(o: KubeObject): void {
    const [group] = [groupOf(o.apiVersion ?? '')];
    this.queue.add(`${this.resKey(group, o.kind ?? '')}|${o.metadata.namespace ?? ''}|${o.metadata.name ?? ''}`);
  }

  private cachedByUid(uid: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const inf of this.informers.values()) out.push(...inf.lister.byIndex(byUid, uid));
    return out;
  }

  private dependentsOf(uid: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const [k, inf] of this.informers) {
      const kind = k.slice(k.indexOf('/') + 1);
      const group = k.slice(0, k.indexOf('/'));
      for (const o of inf.lister.byIndex(byOwnerUid, uid)) {
        out.push(o.kind ? o : { ...o, kind, apiVersion: group ? `${group}/v1` : 'v1' });
      }
    }
    return out;
  }

  private refFor(group: string, kind: string): ResourceRef | undefined {
    return this.informers.get(this.resKey(group, kind))?.resource ?? Object.values(R).find((r) => r.group === group && r.kind === kind);
  }

  /** isDangling: the owner's state, from the cache when it has the uid, else from a live GET. */
  private async ownerState(ref: OwnerReference, namespace: string | undefined): Promise<OwnerState> {
    const group = groupOf(ref.apiVersion);
    let owner = this.cachedByUid(ref.uid)[0];
    if (!owner) {
      const res = this.refFor(group, ref.kind);
      // An owner of a kind we cannot look up is assumed alive: deleting on a guess is not undoable.
      if (!res) return 'solid';
      try {
        owner = await this.client.get(res, res.namespaced ? namespace : undefined, ref.name);
      } catch (e) {
        if (isNotFound(e)) return 'dangling';
        throw e;
      }
      if (owner.metadata.uid !== ref.uid) return 'dangling';
    }
    if (owner.metadata.deletionTimestamp && hasFinalizer(owner, foregroundDeletionFinalizer)) return 'waitingForDependentsDeletion';
    return 'solid';
  }

  async sync(key: string): Promise<void> {
    const [rk, ns, name] = key.split('|') as [string, string, string];
    const inf = this.informers.get(rk);
    if (!inf) return;
    const namespace = ns || undefined;
    const obj = inf.lister.get(namespace, name);
    if (!obj) return;
    const res = inf.resource;
    if (obj.metadata.deletionTimestamp) {
      if (hasFinalizer(obj, orphanFinalizer)) await this.orphanDependents(res, obj);
      else if (hasFinalizer(obj, foregroundDeletionFinalizer)) await this.processDeletingDependents(res, obj);
      return;
    }
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const states = new Map<OwnerReference, OwnerState>();
    for (const r of refs) states.set(r, await this.ownerState(r, namespace));
    const hasDependents = this.dependentsOf(obj.metadata.uid ?? '').length > 0;
    const d = decide(obj, states, hasDependents);
    if (d.action === 'none') return;
    if (d.action === 'removeOwnerRefs') {
      const keep = refs.filter((r) => !d.uids.includes(r.uid));
      await this.patchOwnerRefs(res, obj, keep);
      return;
    }
    this.log.debug(`deleting ${res.kind} ${ns ? ns + '/' : ''}${name} (${d.propagationPolicy}): its owners are gone`);
    try {
      await this.client.delete(res, namespace, name, { propagationPolicy: d.propagationPolicy, preconditions: { uid: obj.metadata.uid } });
    } catch (e) {
      // Gone already, or replaced by another object of that name: nothing of ours to delete.
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  private async patchOwnerRefs(res: ResourceRef, obj: KubeObject, refs: OwnerReference[]): Promise<void> {
    try {
      await this.client.patch(res, obj.metadata.namespace, obj.metadata.name ?? '', 'merge', {
        metadata: { ownerReferences: refs.length ? refs : null, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private async removeFinalizer(res: ResourceRef, obj: KubeObject, f: string): Promise<void> {
    const rest = withoutFinalizer(obj, f);
    try {
      await this.client.patch(res, obj.metadata.namespace, obj.metadata.name ?? '', 'merge', {
        metadata: { finalizers: rest.length ? rest : null, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Foreground deletion: delete blocking dependents, then let the owner go. */
  private async processDeletingDependents(res: ResourceRef, owner: KubeObject): Promise<void> {
    const blocking = blockingDependents(owner, this.dependentsOf(owner.metadata.uid ?? ''));
    if (blocking.length === 0) {
      await this.removeFinalizer(res, owner, foregroundDeletionFinalizer);
      return;
    }
    for (const dep of blocking) if (!dep.metadata.deletionTimestamp) this.enqueueObject(dep);
  }

  /** Orphan deletion: dependents lose their reference to the owner, then the owner goes. */
  private async orphanDependents(res: ResourceRef, owner: KubeObject): Promise<void> {
    const uid = owner.metadata.uid ?? '';
    for (const dep of this.dependentsOf(uid)) {
      const depRes = this.refFor(groupOf(dep.apiVersion ?? ''), dep.kind ?? '');
      if (!depRes) continue;
      await this.patchOwnerRefs(
        depRes,
        dep,
        (dep.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid),
      );
    }
    await this.removeFinalizer(res, owner, orphanFinalizer);
  }
}
