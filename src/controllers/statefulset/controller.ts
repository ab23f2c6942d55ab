// The StatefulSet controller (upstream's pkg/controller/statefulset): handlers enqueue the set a
// StatefulSet, Pod or ControllerRevision event concerns; sync(key) claims the set's pods and
// revisions, settles the current and update revisions, makes one round of progress
// (control.ts), writes status and trims the history to revisionHistoryLimit.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from '../../api/apps.js';
import type { Pod } from '../../api/core.js';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { Client } from '../../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../../client/keys.js';
import { R } from '../../client/resources.js';
import { labelSelectorAsSelector } from '../../machinery/labels/index.js';
import { claimObjects, recheckDeletionTimestamp } from '../common/claim.js';
import { getControllerOf, newControllerRef } from '../common/controller-ref.js';
import { isAlreadyExists, isNotFound } from '../common/errors.js';
import { isPodReady } from '../common/pod-util.js';
import { QueueWorker } from '../common/queue-worker.js';
import { noopRecorder, type Recorder } from '../common/recorder.js';
import { StaleInformerCacheError } from '../common/stale-cache.js';
import { ensureUpdateRevision, newControllerRevision, nextRevision, sortControllerRevisions, templatePatch, truncateHistory } from '../history/history.js';
import { completeRollingUpdate, updateStatefulSet, type StatefulPodControl } from './control.js';
import { createMissingClaims } from './claims.js';
import { getPodRevision, isMemberOf } from './stateful-pod.js';

export interface StatefulSetControllerOptions {
  recorder?: Recorder;
  queue?: WorkQueue<string>;
  now?: () => number;
}

export class StatefulSetController extends QueueWorker {
  private readonly setInformer: Informer<StatefulSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly revInformer: Informer<ControllerRevision>;
  private readonly recorder: Recorder;
  private readonly now: () => number;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: StatefulSetControllerOptions = {},
  ) {
    super('statefulset', opts.queue);
    this.recorder = opts.recorder ?? noopRecorder;
    this.now = opts.now ?? Date.now;
    this.setInformer = informers.informer<StatefulSet>(R.statefulsets);
    this.podInformer = informers.informer<Pod>(R.pods);
    this.revInformer = informers.informer<ControllerRevision>(R.controllerrevisions);
    this.setInformer.addEventHandler({
      onAdd: (s) => this.enqueue(s),
      onUpdate: (_o, s) => this.enqueue(s),
      onDelete: (s) => this.enqueue(s),
    });
    this.podInformer.addEventHandler({
      onAdd: (p) => this.onOwned(p),
      onUpdate: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        const oldRef = getControllerOf(old);
        if (oldRef && oldRef.uid !== getControllerOf(cur)?.uid) this.enqueueRef(old.metadata.namespace, oldRef);
        this.onOwned(cur);
        // A pod becoming ready counts as available only minReadySeconds later: look again then.
        const ref = getControllerOf(cur);
        const set = ref && this.resolve(cur.metadata.namespace, ref);
        const minReady = set?.spec.minReadySeconds ?? 0;
        if (set && minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.queue.addAfter(metaNamespaceKey(set), minReady * 1000 + 100);
      },
      onDelete: (p) => this.onOwned(p),
    });
    this.revInformer.addEventHandler({ onAdd: (r) => this.onOwned(r), onDelete: (r) => this.onOwned(r) });
  }

  run(workers: number): void {
    this.runWorkers(workers);
  }

  private enqueue(obj: KubeObject): void {
    this.queue.add(metaNamespaceKey(obj));
  }

  private resolve(namespace: string | undefined, ref: OwnerReference): StatefulSet | undefined {
    if (ref.kind !== 'StatefulSet') return undefined;
    const s = this.setInformer.lister.get(namespace, ref.name);
    return s && s.metadata.uid === ref.uid ? s : undefined;
  }

  private enqueueRef(namespace: string | undefined, ref: OwnerReference): void {
    const s = this.resolve(namespace, ref);
    if (s) this.enqueue(s);
  }

  /** An owned object wakes its set; an orphan wakes every set whose selector matches it (they may adopt it). */
  private onOwned(obj: KubeObject): void {
    const ref = getControllerOf(obj);
    if (ref) {
      this.enqueueRef(obj.metadata.namespace, ref);
      return;
    }
    if (obj.metadata.deletionTimestamp) return;
    for (const s of this.setInformer.lister.list(obj.metadata.namespace)) {
      try {
        const sel = labelSelectorAsSelector(s.spec.selector);
        if (!sel.empty() && sel.matches(obj.metadata.labels ?? {})) this.enqueue(s);
      } catch {
        // An unparsable selector matches nothing.
      }
    }
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.setInformer.lister.get(namespace, name);
    if (!cached) return;
    const set = structuredClone(cached);
    let selector;
    try {
      selector = labelSelectorAsSelector(set.spec.selector);
    } catch (e) {
      this.recorder.event(set, 'Warning', 'InvalidSelector', `Failed to parse selector: ${(e as Error).message}`);
      return;
    }
    const controllerRef = newControllerRef(set, 'apps/v1', 'StatefulSet');
    const canAdopt = recheckDeletionTimestamp(() => this.client.get(R.statefulsets, namespace, name), set.metadata.uid);
    const matches = (o: KubeObject) => selector.matches(o.metadata.labels ?? {});
    const revisions = await claimObjects<ControllerRevision>(this.revInformer.lister.list(namespace), {
      client: this.client, resource: R.controllerrevisions, owner: set, controllerRef, matches, canAdopt,
    });
    // Pods are ours only if their names say so, too (isMemberOf), as upstream's getPodsForStatefulSet.
    const pods = await claimObjects<Pod>(this.podInformer.lister.list(namespace), {
      client: this.client, resource: R.pods, owner: set, controllerRef, matches: (p) => matches(p) && isMemberOf(set, p), canAdopt,
    });

    const sorted = sortControllerRevisions([...revisions]);
    let collisionCount = set.status?.collisionCount ?? 0;
    const wanted = newControllerRevision(set, controllerRef, set.spec.template.metadata?.labels, templatePatch(set.spec.template), nextRevision(sorted), collisionCount);
    const ensured = await ensureUpdateRevision(this.client, set, sorted, wanted, collisionCount);
    const update = ensured.revision;
    collisionCount = ensured.collisionCount;
    if (!sorted.some((r) => r.metadata.name === update.metadata.name)) sorted.push(update);
    else sorted.splice(sorted.findIndex((r) => r.metadata.name === update.metadata.name), 1, update);
    sortControllerRevisions(sorted);
    const current = sorted.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;

    const result = await updateStatefulSet(set, current, update, collisionCount, pods, this.podControl(), controllerRef, this.now());
    completeRollingUpdate(set, result.status);
    await this.updateStatus(set, result.status);
    if (result.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);

    // History: keep the revisions live pods use plus current and update, and limit the rest.
    const inUse = new Set<string>([current.metadata.name ?? '', update.metadata.name ?? '']);
    for (const p of pods) inUse.add(getPodRevision(p));
    await truncateHistory(this.client, sorted, inUse, set.spec.revisionHistoryLimit ?? 10);
  }

  private podControl(): StatefulPodControl {
    const event = (set: StatefulSet, verb: string, pod: Pod, err?: unknown) => {
      if (err === undefined) this.recorder.event(set, 'Normal', `Successful${verb}`, `${verb.toLowerCase()} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
      else this.recorder.event(set, 'Warning', `Failed${verb}`, `${verb.toLowerCase()} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
    };
    return {
      createPod: async (set, pod) => {
        try {
          await createMissingClaims(this.client, this.recorder, set, pod);
          await this.client.create(R.pods, set.metadata.namespace, pod);
          event(set, 'Create', pod);
        } catch (e) {
          // Our cache has not seen the pod we made a moment ago: retry once it has.
          if (isAlreadyExists(e)) throw new StaleInformerCacheError(`pod ${pod.metadata.name} exists already`);
          event(set, 'Create', pod, e);
          throw e;
        }
      },
      updatePod: async (set, pod) => {
        try {
          await this.client.update(R.pods, set.metadata.namespace, pod);
          event(set, 'Update', pod);
        } catch (e) {
          event(set, 'Update', pod, e);
          throw e;
        }
      },
      deletePod: async (set, pod) => {
        try {
          await this.client.delete(R.pods, set.metadata.namespace, pod.metadata.name ?? '');
          event(set, 'Delete', pod);
        } catch (e) {
          if (isNotFound(e)) return;
          event(set, 'Delete', pod, e);
          throw e;
        }
      },
    };
  }

  private async updateStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    const cur = set.status ?? { replicas: 0 };
    const keys = ['observedGeneration', 'replicas', 'readyReplicas', 'availableReplicas', 'currentReplicas', 'updatedReplicas', 'currentRevision', 'updateRevision', 'collisionCount'] as const;
    if (keys.every((k) => (cur[k] ?? 0) === (status[k] ?? 0))) return;
    const next = { ...cur, ...status };
    try {
      await this.client.update<StatefulSet>(R.statefulsets, set.metadata.namespace, { ...set, status: next }, { subresource: 'status' });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }
}
