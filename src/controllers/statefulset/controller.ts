// The StatefulSet controller (upstream's pkg/controller/statefulset): handlers enqueue the set a
// StatefulSet, Pod or ControllerRevision event concerns; sync(key) claims the set's pods and
// revisions, settles the current and update revisions, makes one round of progress
// (control.ts), writes status and trims the history to revisionHistoryLimit.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from '../../api/apps.js';
import type { Pod } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import type { Client } from '../../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../../client/keys.js';
import { R } from '../../client/resources.js';
import { labelSelectorAsSelector } from '../../machinery/labels/index.js';
import { claimObjects, recheckDeletionTimestamp } from '../common/claim.js';
import { getControllerOf, newControllerRef } from '../common/controller-ref.js';
import { isAlreadyExists, isNotFound } from '../common/errors.js';
import { isPodReady } from '../common/pod-util.js';
import { OwnerEvents } from '../common/owner-events.js';
import { QueueWorker } from '../common/queue-worker.js';
import { noopRecorder, type Recorder } from '../common/recorder.js';
import { StaleInformerCacheError } from '../common/stale-cache.js';
import { settleHistory, truncateHistory } from '../history/history.js';
import { completeRollingUpdate, updateStatefulSet, type StatefulPodControl } from './control.js';
import { createMissingClaims, updateClaimRetention } from './claims.js';
import type { PersistentVolumeClaim } from '../../api/storage.js';
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
  private readonly claimInformer: Informer<PersistentVolumeClaim>;
  private readonly recorder: Recorder;
  private readonly owners: OwnerEvents<StatefulSet>;
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
    this.claimInformer = informers.informer<PersistentVolumeClaim>(R.persistentvolumeclaims);
    this.setInformer.addEventHandler({
      onAdd: (s) => this.enqueue(s),
      onUpdate: (_o, s) => this.enqueue(s),
      onDelete: (s) => this.enqueue(s),
    });
    this.owners = new OwnerEvents<StatefulSet>('StatefulSet', this.setInformer.lister, (s) => this.enqueue(s));
    this.podInformer.addEventHandler({
      onAdd: (p) => this.owners.onOwned(p),
      onUpdate: (old, cur) => {
        this.owners.onOwnedUpdate(old, cur);
        // A pod becoming ready counts as available only minReadySeconds later: look again then.
        const ref = getControllerOf(cur);
        const set = ref && this.owners.resolve(cur.metadata.namespace, ref);
        const minReady = set?.spec.minReadySeconds ?? 0;
        if (set && minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.queue.addAfter(metaNamespaceKey(set), minReady * 1000 + 100);
      },
      onDelete: (p) => this.owners.onOwned(p),
    });
    this.revInformer.addEventHandler({ onAdd: (r) => this.owners.onOwned(r), onDelete: (r) => this.owners.onOwned(r) });
  }

  private enqueue(obj: KubeObject): void {
    this.queue.add(metaNamespaceKey(obj));
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

    const { sorted, update, collisionCount } = await settleHistory(this.client, set, controllerRef, revisions, set.spec.template, set.status?.collisionCount ?? 0);
    const current = sorted.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;

    // Before condemned pods go, their claims learn whether to go with them (persistentVolumeClaimRetentionPolicy).
    if (set.spec.volumeClaimTemplates?.length && !set.metadata.deletionTimestamp) {
      for (const p of pods) await updateClaimRetention(this.client, set, p, (n) => this.claimInformer.lister.get(namespace, n));
    }
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
