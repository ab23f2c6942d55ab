// The DaemonSet controller (upstream's pkg/controller/daemon): handlers enqueue the DaemonSet a
// DaemonSet, Pod, ControllerRevision or Node event concerns; sync(key) claims the set's pods and
// revisions, settles the update revision, creates and deletes pods per node (rolling.ts), trims
// the history and writes status. Creates and deletes in flight are tracked as expectations, so a
// sync on a cache that has not seen them yet does not repeat them.
import type { ControllerRevision, DaemonSet } from '../../api/apps.js';
import type { Node, Pod } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import type { Client } from '../../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../../client/keys.js';
import { R } from '../../client/resources.js';
import { labelSelectorAsSelector } from '../../machinery/labels/index.js';
import { claimObjects, recheckDeletionTimestamp } from '../common/claim.js';
import { getControllerOf, newControllerRef } from '../common/controller-ref.js';
import { isNotFound } from '../common/errors.js';
import { createExpectedPods, deleteExpectedPods } from '../common/pod-control.js';
import { ControllerExpectations } from '../common/expectations.js';
import { OwnerEvents } from '../common/owner-events.js';
import { isPodReady, podKey } from '../common/pod-util.js';
import { QueueWorker } from '../common/queue-worker.js';
import { noopRecorder, type Recorder } from '../common/recorder.js';
import { controllerRevisionHashLabel, settleHistory, truncateHistory } from '../history/history.js';
import { getTargetNodeName, newDaemonPod } from './daemon-pod.js';
import { planDaemonSet } from './rolling.js';
import { calculateDaemonSetStatus, daemonSetStatusUnchanged } from './status.js';

export interface DaemonSetControllerOptions {
  recorder?: Recorder;
  queue?: WorkQueue<string>;
  now?: () => number;
}

export class DaemonSetController extends QueueWorker {
  readonly expectations: ControllerExpectations;
  private readonly dsInformer: Informer<DaemonSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly revInformer: Informer<ControllerRevision>;
  private readonly nodeInformer: Informer<Node>;
  private readonly owners: OwnerEvents<DaemonSet>;
  private readonly recorder: Recorder;
  private readonly now: () => number;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: DaemonSetControllerOptions = {},
  ) {
    super('daemonset', opts.queue);
    this.recorder = opts.recorder ?? noopRecorder;
    this.now = opts.now ?? Date.now;
    this.expectations = new ControllerExpectations(this.now);
    this.dsInformer = informers.informer<DaemonSet>(R.daemonsets);
    this.podInformer = informers.informer<Pod>(R.pods);
    this.revInformer = informers.informer<ControllerRevision>(R.controllerrevisions);
    this.nodeInformer = informers.informer<Node>(R.nodes);
    this.owners = new OwnerEvents<DaemonSet>('DaemonSet', this.dsInformer.lister, (ds) => this.enqueue(ds));
    this.dsInformer.addEventHandler({
      onAdd: (ds) => this.enqueue(ds),
      onUpdate: (_o, ds) => this.enqueue(ds),
      onDelete: (ds) => {
        this.expectations.deleteExpectations(metaNamespaceKey(ds));
        this.enqueue(ds);
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (p) => {
        const ds = this.ownerOf(p);
        if (ds) this.expectations.creationObserved(metaNamespaceKey(ds));
        this.owners.onOwned(p);
      },
      onUpdate: (old, cur) => {
        this.owners.onOwnedUpdate(old, cur);
        const ds = this.ownerOf(cur);
        const minReady = ds?.spec.minReadySeconds ?? 0;
        // Ready now, available minReadySeconds later: nothing else would tell us.
        if (ds && minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.queue.addAfter(metaNamespaceKey(ds), minReady * 1000 + 100);
      },
      onDelete: (p) => {
        const ds = this.ownerOf(p);
        if (ds) this.expectations.deletionObserved(metaNamespaceKey(ds), podKey(p));
        this.owners.onOwned(p);
      },
    });
    this.revInformer.addEventHandler({ onAdd: (r) => this.owners.onOwned(r), onDelete: (r) => this.owners.onOwned(r) });
    // Any node change may change where daemons should run: look at every DaemonSet.
    const allSets = () => {
      for (const ds of this.dsInformer.lister.list()) this.enqueue(ds);
    };
    this.nodeInformer.addEventHandler({
      onAdd: allSets,
      onUpdate: (o, n) => {
        if (JSON.stringify(o.metadata.labels) !== JSON.stringify(n.metadata.labels) || JSON.stringify(o.spec) !== JSON.stringify(n.spec)) allSets();
      },
      onDelete: allSets,
    });
  }

  private enqueue(obj: KubeObject): void {
    this.queue.add(metaNamespaceKey(obj));
  }

  private ownerOf(p: Pod): DaemonSet | undefined {
    const ref = getControllerOf(p);
    return ref ? this.owners.resolve(p.metadata.namespace, ref) : undefined;
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.dsInformer.lister.get(namespace, name);
    if (!cached) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const ds = structuredClone(cached);
    let selector;
    try {
      selector = labelSelectorAsSelector(ds.spec.selector);
    } catch (e) {
      this.recorder.event(ds, 'Warning', 'InvalidSelector', `Failed to parse selector: ${(e as Error).message}`);
      return;
    }
    // An empty selector would take every pod of the namespace: upstream refuses to act on it.
    if (selector.empty()) {
      this.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    const controllerRef = newControllerRef(ds, 'apps/v1', 'DaemonSet');
    const canAdopt = recheckDeletionTimestamp(() => this.client.get(R.daemonsets, namespace, name), ds.metadata.uid);
    const matches = (o: KubeObject) => selector.matches(o.metadata.labels ?? {});
    const revisions = await claimObjects<ControllerRevision>(this.revInformer.lister.list(namespace), {
      client: this.client, resource: R.controllerrevisions, owner: ds, controllerRef, matches, canAdopt,
    });
    const pods = await claimObjects<Pod>(this.podInformer.lister.list(namespace), {
      client: this.client, resource: R.pods, owner: ds, controllerRef, matches, canAdopt,
    });
    const nodeToPods = new Map<string, Pod[]>();
    for (const p of pods) {
      // Finished pods that are being deleted are gone as far as placement is concerned.
      if (p.metadata.deletionTimestamp && (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')) continue;
      const n = getTargetNodeName(p);
      if (n === undefined) continue;
      nodeToPods.set(n, [...(nodeToPods.get(n) ?? []), p]);
    }
    const nodes = this.nodeInformer.lister.list();
    const { sorted, update, collisionCount } = await settleHistory(this.client, ds, controllerRef, revisions, ds.spec.template, ds.status?.collisionCount ?? 0);
    const hash = update.metadata.labels?.[controllerRevisionHashLabel] ?? '';
    if (collisionCount !== (ds.status?.collisionCount ?? 0)) ds.status = { ...ds.status!, collisionCount };

    if (!ds.metadata.deletionTimestamp && this.expectations.satisfiedExpectations(key)) {
      const plan = planDaemonSet(ds, nodes, nodeToPods, hash, this.now());
      await this.syncNodes(ds, key, plan.deletePods, plan.createOn, hash, controllerRef);
    }
    const inUse = new Set<string>([update.metadata.name ?? '']);
    for (const r of sorted) if (pods.some((p) => p.metadata.labels?.[controllerRevisionHashLabel] === r.metadata.labels?.[controllerRevisionHashLabel])) inUse.add(r.metadata.name ?? '');
    await truncateHistory(this.client, sorted, inUse, ds.spec.revisionHistoryLimit ?? 10);

    const status = calculateDaemonSetStatus(ds, nodes, nodeToPods, hash, this.now());
    if (!daemonSetStatusUnchanged(cached.status, status)) {
      try {
        await this.client.update<DaemonSet>(R.daemonsets, namespace, { ...ds, status }, { subresource: 'status' });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    const minReady = ds.spec.minReadySeconds ?? 0;
    if (minReady > 0 && status.numberAvailable !== status.numberReady) this.queue.addAfter(key, minReady * 1000);
  }

  /**
   * syncNodes: deletes then creates (in slow-start batches, as upstream), expecting both at once so
   * the sync after waits for the informer to catch up with every one of them.
   */
  private async syncNodes(ds: DaemonSet, key: string, deletePods: Pod[], createOn: string[], hash: string, controllerRef: ReturnType<typeof newControllerRef>): Promise<void> {
    if (deletePods.length === 0 && createOn.length === 0) return;
    this.expectations.setExpectations(key, createOn.length, deletePods.map(podKey));
    const owner = { client: this.client, recorder: this.recorder, expectations: this.expectations, key, owner: ds };
    const deleteError = await deleteExpectedPods(owner, deletePods);
    const createError = await createExpectedPods(owner, createOn.length, (i) => newDaemonPod(ds, createOn[i]!, hash, controllerRef));
    const error = deleteError ?? createError;
    if (error) throw error;
  }
}
