// The writes a Deployment sync makes to ReplicaSets and to its own status, shared by the rolling,
// recreate and scaling paths (upstream's getNewReplicaSet, scaleReplicaSet, cleanupDeployment).
import type { Deployment, ReplicaSet } from '../../api/apps.js';
import type { Client } from '../../client/client.js';
import { R } from '../../client/resources.js';
import { newControllerRef } from '../common/controller-ref.js';
import { isAlreadyExists, isNotFound } from '../common/errors.js';
import type { Recorder } from '../common/recorder.js';
import {
  FailedRSCreateReason,
  FoundNewRSReason,
  NewReplicaSetReason,
  getDeploymentCondition,
  newDeploymentCondition,
  setDeploymentCondition,
} from './conditions.js';
import { computeHash } from './hash.js';
import {
  byRevision,
  defaultDeploymentUniqueLabelKey,
  equalIgnoreHash,
  findNewReplicaSet,
  findOldReplicaSets,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  maxRevision,
  maxSurge,
  newRSNewReplicas,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  revisionAnnotation,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './util.js';
import { statusEqual } from './status.js';
import type { DeploymentStatus } from '../../api/apps.js';

/** One sync of one Deployment: `d` is a private copy, kept current as the sync writes it. */
export class DeploymentSyncContext {
  constructor(
    readonly client: Client,
    readonly recorder: Recorder,
    public d: Deployment,
    readonly now: () => number,
  ) {}

  /** Writes status (and, as upstream's UpdateStatus may, the revision annotation) when changed. */
  async writeStatus(status: DeploymentStatus): Promise<void> {
    if (!statusEqual(this.d.status, status)) {
      const updated = await this.client.update<Deployment>(R.deployments, this.d.metadata.namespace, { ...this.d, status }, { subresource: 'status' });
      this.d = updated;
    }
  }

  /**
   * The revision annotation lives in metadata, which our /status keeps as stored (upstream's lets
   * it through), so it is written with an update of the Deployment itself (the deployment
   * controller's role grants update, not patch) of the stored copy; a write in between conflicts
   * and the sync is retried.
   * Generation is unchanged: only metadata differs.
   */
  async syncRevisionAnnotation(revision: string): Promise<void> {
    const live = this.d.metadata.annotations?.[revisionAnnotation];
    if (live === revision) return;
    // Read-modify-write of the stored object, so nothing but the annotation can change with it.
    const current = await this.client.get<Deployment>(R.deployments, this.d.metadata.namespace, this.d.metadata.name ?? '');
    current.metadata.annotations = { ...current.metadata.annotations, [revisionAnnotation]: revision };
    const updated = await this.client.update<Deployment>(R.deployments, this.d.metadata.namespace, current);
    this.d = { ...this.d, metadata: { ...this.d.metadata, annotations: updated.metadata.annotations, resourceVersion: updated.metadata.resourceVersion } };
  }

  /**
   * getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when asked and missing) and all
   * old ones, with the new one's revision raised above every old one.
   */
  async getAllReplicaSetsAndSyncRevision(rsList: ReplicaSet[], createIfNotExisted: boolean): Promise<{ newRS?: ReplicaSet; oldRSs: ReplicaSet[] }> {
    const [, allOld] = findOldReplicaSets(this.d, rsList);
    const newRS = await this.getNewReplicaSet(rsList, allOld, createIfNotExisted);
    return { newRS, oldRSs: allOld };
  }

  private async getNewReplicaSet(rsList: ReplicaSet[], oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const d = this.d;
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const rsCopy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
      const minReadyNeedsUpdate = (rsCopy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyNeedsUpdate) {
        rsCopy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
        return this.client.update<ReplicaSet>(R.replicasets, rsCopy.metadata.namespace, rsCopy);
      }
      await this.syncRevisionAnnotation(rsCopy.metadata.annotations?.[revisionAnnotation] ?? String(newRevision));
      if (hasProgressDeadline(d) && !getDeploymentCondition(this.d.status, 'Progressing')) {
        const status = structuredClone(this.d.status ?? {});
        const msg = `Found new replica set "${rsCopy.metadata.name}"`;
        setDeploymentCondition(status, newDeploymentCondition('Progressing', 'True', FoundNewRSReason, msg, this.now()));
        await this.writeStatus(status);
      }
      return rsCopy;
    }
    if (!create) return undefined;

    const hash = computeHash(d.spec.template, d.status?.collisionCount);
    const template = structuredClone(d.spec.template);
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [defaultDeploymentUniqueLabelKey]: hash };
    const selector = structuredClone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [defaultDeploymentUniqueLabelKey]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        // Deterministic, so a retried create after a lost answer finds its own ReplicaSet.
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
        labels: { ...template.metadata.labels },
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    const count = newRSNewReplicas(d, [...oldRSs, rs], rs);
    rs.spec.replicas = count;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);

    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await this.client.create<ReplicaSet>(R.replicasets, d.metadata.namespace, rs);
    } catch (e) {
      if (isAlreadyExists(e)) {
        alreadyExists = true;
        const found = await this.client.get<ReplicaSet>(R.replicasets, d.metadata.namespace, rs.metadata.name!);
        const ref = found.metadata.ownerReferences?.find((r) => r.controller);
        if (ref?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, found.spec.template)) {
          created = found;
        } else {
          // A hash collision: bump collisionCount so the next sync computes another name.
          const status = structuredClone(this.d.status ?? {});
          status.collisionCount = (status.collisionCount ?? 0) + 1;
          await this.writeStatus(status);
          throw e;
        }
      } else {
        const msg = `Failed to create new replica set "${rs.metadata.name}": ${(e as Error).message}`;
        if (hasProgressDeadline(d)) {
          const status = structuredClone(this.d.status ?? {});
          setDeploymentCondition(status, newDeploymentCondition('Progressing', 'False', FailedRSCreateReason, msg, this.now()));
          await this.writeStatus(status).catch(() => undefined);
        }
        this.recorder.event(d, 'Warning', FailedRSCreateReason, msg);
        throw e;
      }
    }
    if (!alreadyExists && count > 0) {
      this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${count}`);
    }
    await this.syncRevisionAnnotation(String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      const status = structuredClone(this.d.status ?? {});
      setDeploymentCondition(status, newDeploymentCondition('Progressing', 'True', NewReplicaSetReason, `Created new replica set "${created.metadata.name}"`, this.now()));
      await this.writeStatus(status);
    }
    return created;
  }

  /** scaleReplicaSetAndRecordEvent: true when the size changed. */
  async scaleReplicaSetAndRecordEvent(rs: ReplicaSet, newScale: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    if (replicasOf(rs) === newScale) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, newScale, replicasOf(rs) < newScale ? 'up' : 'down');
  }

  /** scaleReplicaSet: writes size and the desired/max annotations together. */
  async scaleReplicaSet(rs: ReplicaSet, newScale: number, operation: string): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const d = this.d;
    const sizeNeedsUpdate = replicasOf(rs) !== newScale;
    const max = replicasOf(d) + maxSurge(d);
    if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, replicasOf(d), max)) return { scaled: false, rs };
    const oldScale = replicasOf(rs);
    const copy = structuredClone(rs);
    copy.spec.replicas = newScale;
    setReplicasAnnotations(copy, replicasOf(d), max);
    const updated = await this.client.update<ReplicaSet>(R.replicasets, copy.metadata.namespace, copy);
    if (sizeNeedsUpdate) {
      this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${updated.metadata.name} from ${oldScale} to ${newScale}`);
    }
    return { scaled: sizeNeedsUpdate, rs: updated };
  }

  /** cleanupDeployment: deletes the oldest empty ReplicaSets beyond revisionHistoryLimit. */
  async cleanupDeployment(oldRSs: ReplicaSet[]): Promise<void> {
    const d = this.d;
    if (!hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - (d.spec.revisionHistoryLimit ?? 10);
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (const rs of cleanable.slice(0, diff)) {
      // Only empty ReplicaSets whose controller has caught up with their spec.
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.client.delete(R.replicasets, rs.metadata.namespace, rs.metadata.name ?? '');
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}
