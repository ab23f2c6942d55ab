// The ReplicaSet controller (upstream's pkg/controller/replicaset): keeps spec.replicas active pods
// matching the selector. Informer handlers only enqueue the owning ReplicaSet's key and record
// what they observed against the expectations; sync(key) claims pods, creates or deletes the
// difference (unless earlier creates/deletes are still in flight), and writes status.
import type { ReplicaSet } from '../../api/apps.js';
import type { Pod } from '../../api/core.js';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { Client } from '../../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../../client/keys.js';
import { R } from '../../client/resources.js';
import { labelSelectorAsSelector } from '../../machinery/labels/index.js';
import { claimObjects, recheckDeletionTimestamp } from '../common/claim.js';
import { getControllerOf, newControllerRef } from '../common/controller-ref.js';
import { isNotFound } from '../common/errors.js';
import { ControllerExpectations } from '../common/expectations.js';
import { isPodActive, isPodReady, podKey } from '../common/pod-util.js';
import { createOwnedPods, deleteOwnedPods } from '../common/pod-control.js';
import { QueueWorker } from '../common/queue-worker.js';
import { noopRecorder, type Recorder } from '../common/recorder.js';
import { getPodsToDelete } from './pod-ranking.js';
import { getPodFromTemplate } from '../common/pod-template.js';
import { calculateReplicaSetStatus, replicaSetStatusUnchanged } from './replica-status.js';

/** Upstream's BurstReplicas: at most this many creates or deletes per sync. */
export const burstReplicas = 500;

export interface ReplicaSetControllerOptions {
  recorder?: Recorder;
  queue?: WorkQueue<string>;
  now?: () => number;
}

export class ReplicaSetController extends QueueWorker {
  readonly expectations: ControllerExpectations;
  private readonly rsInformer: Informer<ReplicaSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly recorder: Recorder;
  private readonly now: () => number;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: ReplicaSetControllerOptions = {},
  ) {
    super('replicaset', opts.queue);
    this.recorder = opts.recorder ?? noopRecorder;
    this.now = opts.now ?? Date.now;
    this.expectations = new ControllerExpectations(this.now);
    this.rsInformer = informers.informer<ReplicaSet>(R.replicasets);
    this.podInformer = informers.informer<Pod>(R.pods);
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (rs) => {
        this.expectations.deleteExpectations(metaNamespaceKey(rs));
        this.enqueue(rs);
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (p) => this.addPod(p),
      onUpdate: (o, c) => this.updatePod(o, c),
      onDelete: (p) => this.deletePod(p),
    });
  }

  private enqueue(rs: KubeObject): void {
    this.queue.add(metaNamespaceKey(rs));
  }

  /** The ReplicaSet a ControllerRef points at, if it is in the cache with that uid. */
  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference): ReplicaSet | undefined {
    if (ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.rsInformer.lister.get(namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets in the pod's namespace whose selector matches it (candidates to adopt an orphan). */
  private getPodReplicaSets(pod: Pod): ReplicaSet[] {
    return this.rsInformer.lister.list(pod.metadata.namespace).filter((rs) => {
      try {
        const sel = labelSelectorAsSelector(rs.spec.selector);
        return !sel.empty() && sel.matches(pod.metadata.labels ?? {});
      } catch {
        return false;
      }
    });
  }

  private addPod(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      // Seen first already terminating (e.g. after a restart): count it as a deletion.
      this.deletePod(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const rs = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (!rs) return;
      this.expectations.creationObserved(metaNamespaceKey(rs));
      this.enqueue(rs);
      return;
    }
    for (const rs of this.getPodReplicaSets(pod)) this.enqueue(rs);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      // Replacements are due as soon as a pod starts terminating, not when it is finally gone.
      this.deletePod(cur);
      if (labelChanged) this.deletePod(old);
      return;
    }
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const rs = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (rs) this.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!rs) return;
      this.enqueue(rs);
      const minReady = rs.spec.minReadySeconds ?? 0;
      // The pod becomes available minReadySeconds after it became ready; nothing else will tell us.
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(metaNamespaceKey(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelChanged || refChanged) for (const rs of this.getPodReplicaSets(cur)) this.enqueue(rs);
  }

  private deletePod(pod: Pod): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const rs = this.resolveControllerRef(pod.metadata.namespace, ref);
    if (!rs) return;
    const key = metaNamespaceKey(rs);
    this.expectations.deletionObserved(key, podKey(pod));
    this.enqueue(rs);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.rsInformer.lister.get(namespace, name);
    if (!cached) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const rs = structuredClone(cached);
    const needsSync = this.expectations.satisfiedExpectations(key);
    const selector = labelSelectorAsSelector(rs.spec.selector);
    // All pods of the namespace, so owned pods that stopped matching are seen and released.
    const active = this.podInformer.lister.list(namespace).filter(isPodActive);
    const controllerRef = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
    const filtered = await claimObjects<Pod>(active, {
      client: this.client,
      resource: R.pods,
      owner: rs,
      controllerRef,
      matches: (p) => selector.matches(p.metadata.labels ?? {}),
      canAdopt: recheckDeletionTimestamp(() => this.client.get(R.replicasets, namespace, name), rs.metadata.uid),
    });

    let manageErr: Error | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(filtered, rs, key, controllerRef);
      } catch (e) {
        manageErr = e as Error;
      }
    }
    const status = calculateReplicaSetStatus(rs, filtered, manageErr, this.now());
    const updated = await this.updateStatus(rs, status);
    const minReady = updated.spec.minReadySeconds ?? 0;
    const want = updated.spec.replicas ?? 1;
    // A last line of defence against clock skew: look again once the ready pods should be available.
    if (!manageErr && minReady > 0 && updated.status?.readyReplicas === want && updated.status?.availableReplicas !== want) {
      this.queue.addAfter(key, minReady * 1000);
    }
    if (manageErr) throw manageErr;
  }

  private async manageReplicas(filtered: Pod[], rs: ReplicaSet, key: string, controllerRef: OwnerReference): Promise<void> {
    const want = rs.spec.replicas ?? 1;
    let diff = filtered.length - want;
    if (diff < 0) {
      diff = Math.min(-diff, burstReplicas);
      const template = rs.spec.template ?? { spec: { containers: [] } };
      const error = await createOwnedPods(this.client, this.recorder, this.expectations, key, rs, diff, () => getPodFromTemplate(template, rs, controllerRef));
      if (error) throw error;
      return;
    }
    if (diff > 0) {
      diff = Math.min(diff, burstReplicas);
      const related = this.getIndirectlyRelatedPods(rs);
      const toDelete = getPodsToDelete(filtered, related, diff, this.now());
      const err = await deleteOwnedPods(this.client, this.recorder, this.expectations, key, rs, toDelete);
      if (err) throw err;
    }
  }

  /** Pods of every ReplicaSet controlled by the same owner (sibling ReplicaSets of a Deployment): used to spread deletions across nodes. */
  private getIndirectlyRelatedPods(rs: ReplicaSet): Pod[] {
    const owner = getControllerOf(rs);
    const uids = new Set<string>([rs.metadata.uid ?? '']);
    if (owner) {
      for (const other of this.rsInformer.lister.list(rs.metadata.namespace)) {
        if (getControllerOf(other)?.uid === owner.uid) uids.add(other.metadata.uid ?? '');
      }
    }
    return this.podInformer.lister.list(rs.metadata.namespace).filter((p) => {
      const ref = getControllerOf(p);
      return ref !== undefined && uids.has(ref.uid);
    });
  }

  private async updateStatus(rs: ReplicaSet, status: ReturnType<typeof calculateReplicaSetStatus>): Promise<ReplicaSet> {
    if (replicaSetStatusUnchanged(rs, status)) return rs;
    status.observedGeneration = rs.metadata.generation ?? 0;
    let target = rs;
    // One retry with a fresh copy, as upstream's statusUpdateRetries.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.client.update<ReplicaSet>(R.replicasets, target.metadata.namespace, { ...target, status }, { subresource: 'status' });
      } catch (e) {
        if (attempt >= 1 || isNotFound(e)) throw e;
        target = await this.client.get<ReplicaSet>(R.replicasets, rs.metadata.namespace, rs.metadata.name ?? '');
      }
    }
  }
}
