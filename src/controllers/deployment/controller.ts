// The Deployment controller (upstream's pkg/controller/deployment): handlers enqueue the
// Deployment a Deployment, ReplicaSet or Pod event concerns; sync(key) claims ReplicaSets, then
// runs the paused/scaling path or the strategy's rollout, and writes status and conditions.
import type { Deployment, ReplicaSet } from '../../api/apps.js';
import type { Pod } from '../../api/core.js';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { Client } from '../../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../../client/keys.js';
import { R } from '../../client/resources.js';
import { labelSelectorAsSelector } from '../../machinery/labels/index.js';
import { claimObjects, recheckDeletionTimestamp } from '../common/claim.js';
import { getControllerOf, newControllerRef } from '../common/controller-ref.js';
import { QueueWorker } from '../common/queue-worker.js';
import { noopRecorder, type Recorder } from '../common/recorder.js';
import { PausedDeployReason, ResumedDeployReason, TimedOutReason, getDeploymentCondition, newDeploymentCondition, setDeploymentCondition } from './conditions.js';
import { DeploymentSyncContext } from './replicasets.js';
import { isScalingEvent, rolloutRecreate, rolloutRolling, syncDeploymentStatus, syncScaleOrPaused } from './rollout.js';
import { hasProgressDeadline } from './util.js';

export interface DeploymentControllerOptions {
  recorder?: Recorder;
  queue?: WorkQueue<string>;
  now?: () => number;
}

export class DeploymentController extends QueueWorker {
  private readonly dInformer: Informer<Deployment>;
  private readonly rsInformer: Informer<ReplicaSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly recorder: Recorder;
  private readonly now: () => number;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: DeploymentControllerOptions = {},
  ) {
    super('deployment', opts.queue);
    this.recorder = opts.recorder ?? noopRecorder;
    this.now = opts.now ?? Date.now;
    this.dInformer = informers.informer<Deployment>(R.deployments);
    this.rsInformer = informers.informer<ReplicaSet>(R.replicasets);
    this.podInformer = informers.informer<Pod>(R.pods);
    this.dInformer.addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_o, d) => this.enqueue(d),
      onDelete: (d) => this.enqueue(d),
    });
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.onReplicaSet(rs),
      onUpdate: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        const oldRef = getControllerOf(old);
        if (oldRef && oldRef.uid !== getControllerOf(cur)?.uid) this.enqueueRef(old.metadata.namespace, oldRef);
        this.onReplicaSet(cur);
      },
      onDelete: (rs) => {
        const ref = getControllerOf(rs);
        if (ref) this.enqueueRef(rs.metadata.namespace, ref);
      },
    });
    // Recreate waits for old pods to be gone; their deletion is what lets it continue.
    this.podInformer.addEventHandler({
      onDelete: (p) => this.onPodGone(p),
      onUpdate: (o, p) => {
        if (!o.metadata.deletionTimestamp && p.metadata.deletionTimestamp) this.onPodGone(p);
      },
    });
  }

  private enqueue(d: KubeObject): void {
    this.queue.add(metaNamespaceKey(d));
  }

  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference): Deployment | undefined {
    if (ref.kind !== 'Deployment') return undefined;
    const d = this.dInformer.lister.get(namespace, ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  private enqueueRef(namespace: string | undefined, ref: OwnerReference): void {
    const d = this.resolveControllerRef(namespace, ref);
    if (d) this.enqueue(d);
  }

  private onReplicaSet(rs: ReplicaSet): void {
    const ref = getControllerOf(rs);
    if (ref) {
      this.enqueueRef(rs.metadata.namespace, ref);
      return;
    }
    // An orphan: Deployments whose selector matches may adopt it.
    for (const d of this.dInformer.lister.list(rs.metadata.namespace)) {
      try {
        const sel = labelSelectorAsSelector(d.spec.selector);
        if (!sel.empty() && sel.matches(rs.metadata.labels ?? {})) this.enqueue(d);
      } catch {
        /* an invalid selector selects nothing */
      }
    }
  }

  private onPodGone(pod: Pod): void {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.lister.get(pod.metadata.namespace, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const dref = getControllerOf(rs);
    if (!dref) return;
    const d = this.resolveControllerRef(rs.metadata.namespace, dref);
    if (d && d.spec.strategy?.type === 'Recreate') this.enqueue(d);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.dInformer.lister.get(namespace, name);
    if (!cached) return;
    const d = structuredClone(cached);
    const sel = d.spec.selector;
    if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
      this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        await this.client.update(R.deployments, namespace, { ...d, status: { ...d.status, observedGeneration: d.metadata.generation } }, { subresource: 'status' });
      }
      return;
    }
    const ctx = new DeploymentSyncContext(this.client, this.recorder, d, this.now);
    const rsList = await this.getReplicaSetsForDeployment(d);
    const podMap = this.getPodMapForDeployment(d, rsList);
    const requeue = (ms: number) => this.queue.addAfter(key, ms);

    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await ctx.getAllReplicaSetsAndSyncRevision(rsList, false);
      return syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS);
    }
    await this.checkPausedConditions(ctx);
    if (ctx.d.spec.paused) return syncScaleOrPaused(ctx, rsList);
    {
      const { newRS, oldRSs } = await ctx.getAllReplicaSetsAndSyncRevision(rsList, false);
      if (isScalingEvent(ctx.d, newRS, oldRSs)) return syncScaleOrPaused(ctx, rsList);
    }
    if (ctx.d.spec.strategy?.type === 'Recreate') return rolloutRecreate(ctx, rsList, podMap, requeue);
    return rolloutRolling(ctx, rsList, requeue);
  }

  /** Pausing and resuming show in Progressing (Unknown), so a paused rollout never times out. */
  private async checkPausedConditions(ctx: DeploymentSyncContext): Promise<void> {
    const d = ctx.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getDeploymentCondition(d.status, 'Progressing');
    if (cond?.reason === TimedOutReason) return;
    const pausedCondExists = cond?.reason === PausedDeployReason;
    const status = structuredClone(d.status ?? {});
    if (d.spec.paused && !pausedCondExists) {
      setDeploymentCondition(status, newDeploymentCondition('Progressing', 'Unknown', PausedDeployReason, 'Deployment is paused', this.now()));
    } else if (!d.spec.paused && pausedCondExists) {
      setDeploymentCondition(status, newDeploymentCondition('Progressing', 'Unknown', ResumedDeployReason, 'Deployment is resumed', this.now()));
    } else return;
    await ctx.writeStatus(status);
  }

  /** ReplicaSets this Deployment controls, adopting matching orphans and releasing strays. */
  private async getReplicaSetsForDeployment(d: Deployment): Promise<ReplicaSet[]> {
    const selector = labelSelectorAsSelector(d.spec.selector);
    const all = this.rsInformer.lister.list(d.metadata.namespace);
    return claimObjects<ReplicaSet>(all, {
      client: this.client,
      resource: R.replicasets,
      owner: d,
      controllerRef: newControllerRef(d, 'apps/v1', 'Deployment'),
      matches: (rs) => selector.matches(rs.metadata.labels ?? {}),
      canAdopt: recheckDeletionTimestamp(() => this.client.get(R.deployments, d.metadata.namespace, d.metadata.name ?? ''), d.metadata.uid),
    });
  }

  /** Pods of the Deployment's ReplicaSets, by ReplicaSet uid (Recreate checks for old ones). */
  private getPodMapForDeployment(d: Deployment, rsList: ReplicaSet[]): Map<string, Pod[]> {
    const selector = labelSelectorAsSelector(d.spec.selector);
    const map = new Map<string, Pod[]>(rsList.map((rs) => [rs.metadata.uid ?? '', []]));
    for (const p of this.podInformer.lister.list(d.metadata.namespace)) {
      if (!selector.matches(p.metadata.labels ?? {})) continue;
      const ref = getControllerOf(p);
      if (ref && map.has(ref.uid)) map.get(ref.uid)!.push(p);
    }
    return map;
  }
}
