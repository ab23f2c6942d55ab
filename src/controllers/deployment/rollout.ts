// The three ways a Deployment sync moves ReplicaSets (upstream's rolling.go, recreate.go and
// sync.go's scale): a rolling update grows the new ReplicaSet within maxSurge and shrinks old ones
// within maxUnavailable; Recreate empties the old ones before the new one starts; a scaling event
// (replicas changed mid-rollout, or a paused Deployment) resizes all active ReplicaSets in
// proportion.
import type { Deployment, ReplicaSet } from '../../api/apps.js';
import type { Pod } from '../../api/core.js';
import type { DeploymentSyncContext } from './replicasets.js';
import { calculateStatus, deploymentComplete, rolloutStatus, stuckRequeueAfter } from './status.js';
import {
  byCreationTimestamp,
  filterActiveReplicaSets,
  findActiveOrLatest,
  getActualReplicaCountForReplicaSets,
  getAvailableReplicaCountForReplicaSets,
  getDesiredReplicasAnnotation,
  getReplicaCountForReplicaSets,
  isRollingUpdate,
  isSaturated,
  maxUnavailable,
  newRSNewReplicas,
  proportionalSizes,
  replicasOf,
} from './util.js';

/** Called with a delay when a rollout must be looked at again (progress deadline). */
export type Requeue = (afterMs: number) => void;

/** syncRolloutStatus: writes the status with the Progressing verdict, and re-checks stuck rollouts at their deadline. */
export async function syncRolloutStatus(ctx: DeploymentSyncContext, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, requeue: Requeue): Promise<void> {
  const status = rolloutStatus(allRSs, newRS, ctx.d, ctx.now());
  const after = stuckRequeueAfter(ctx.d, status, ctx.now());
  await ctx.writeStatus(status);
  if (after !== undefined) requeue(Math.max(after, 1000));
}

/** syncDeploymentStatus: the status without progress estimation (scaling and paused syncs). */
export async function syncDeploymentStatus(ctx: DeploymentSyncContext, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
  await ctx.writeStatus(calculateStatus(allRSs, newRS, ctx.d, ctx.now()));
}

export async function rolloutRolling(ctx: DeploymentSyncContext, rsList: ReplicaSet[], requeue: Requeue): Promise<void> {
  const { newRS, oldRSs } = await ctx.getAllReplicaSetsAndSyncRevision(rsList, true);
  const allRSs = [...oldRSs, newRS!];
  if (await reconcileNewReplicaSet(ctx, allRSs, newRS!)) return syncRolloutStatus(ctx, allRSs, newRS, requeue);
  if (await reconcileOldReplicaSets(ctx, allRSs, filterActiveReplicaSets(oldRSs), newRS!)) return syncRolloutStatus(ctx, allRSs, newRS, requeue);
  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) await ctx.cleanupDeployment(oldRSs);
  return syncRolloutStatus(ctx, allRSs, newRS, requeue);
}

async function reconcileNewReplicaSet(ctx: DeploymentSyncContext, allRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const d = ctx.d;
  if (replicasOf(newRS) === replicasOf(d)) return false;
  if (replicasOf(newRS) > replicasOf(d)) return (await ctx.scaleReplicaSetAndRecordEvent(newRS, replicasOf(d))).scaled;
  return (await ctx.scaleReplicaSetAndRecordEvent(newRS, newRSNewReplicas(d, allRSs, newRS))).scaled;
}

/**
 * How many old replicas may go now: everything above minAvailable, minus the new ReplicaSet's
 * replicas that are not yet available (they must not be counted on).
 */
export function maxScaledDown(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newRSUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  return getReplicaCountForReplicaSets(allRSs) - minAvailable - newRSUnavailable;
}

async function reconcileOldReplicaSets(ctx: DeploymentSyncContext, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  if (getReplicaCountForReplicaSets(oldRSs) === 0) return false;
  const max = maxScaledDown(ctx.d, allRSs, newRS);
  if (max <= 0) return false;
  // Unhealthy old replicas go first: they cost no availability and would otherwise block the rollout.
  const { oldRSs: cleaned, scaledDown: cleanup } = await cleanupUnhealthyReplicas(ctx, oldRSs, max);
  const scaled = await scaleDownOldReplicaSetsForRollingUpdate(ctx, [...cleaned, newRS], cleaned);
  return cleanup + scaled > 0;
}

async function cleanupUnhealthyReplicas(ctx: DeploymentSyncContext, oldRSs: ReplicaSet[], maxCleanup: number): Promise<{ oldRSs: ReplicaSet[]; scaledDown: number }> {
  const sorted = [...oldRSs].sort(byCreationTimestamp);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (total >= maxCleanup) break;
    const rs = sorted[i]!;
    const available = rs.status?.availableReplicas ?? 0;
    if (replicasOf(rs) === 0 || replicasOf(rs) === available) continue;
    const count = Math.min(maxCleanup - total, replicasOf(rs) - available);
    const r = await ctx.scaleReplicaSetAndRecordEvent(rs, replicasOf(rs) - count);
    total += count;
    sorted[i] = r.rs;
  }
  return { oldRSs: sorted, scaledDown: total };
}

async function scaleDownOldReplicaSetsForRollingUpdate(ctx: DeploymentSyncContext, allRSs: ReplicaSet[], oldRSs: ReplicaSet[]): Promise<number> {
  const d = ctx.d;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = getAvailableReplicaCountForReplicaSets(allRSs);
  if (available <= minAvailable) return 0;
  const sorted = [...oldRSs].sort(byCreationTimestamp);
  const totalToScale = available - minAvailable;
  let total = 0;
  for (const rs of sorted) {
    if (total >= totalToScale) break;
    if (replicasOf(rs) === 0) continue;
    const count = Math.min(replicasOf(rs), totalToScale - total);
    await ctx.scaleReplicaSetAndRecordEvent(rs, replicasOf(rs) - count);
    total += count;
  }
  return total;
}

export async function rolloutRecreate(ctx: DeploymentSyncContext, rsList: ReplicaSet[], podMap: Map<string, Pod[]>, requeue: Requeue): Promise<void> {
  // No new ReplicaSet yet: it must not start before the old pods are gone.
  let { newRS, oldRSs } = await ctx.getAllReplicaSetsAndSyncRevision(rsList, false);
  let allRSs: (ReplicaSet | undefined)[] = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of filterActiveReplicaSets(oldRSs)) {
    if ((await ctx.scaleReplicaSetAndRecordEvent(rs, 0)).scaled) scaledDown = true;
  }
  if (scaledDown) return syncRolloutStatus(ctx, allRSs, newRS, requeue);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(ctx, allRSs, newRS, requeue);
  if (!newRS) {
    ({ newRS, oldRSs } = await ctx.getAllReplicaSetsAndSyncRevision(rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  if (newRS) await ctx.scaleReplicaSetAndRecordEvent(newRS, replicasOf(ctx.d));
  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) await ctx.cleanupDeployment(oldRSs);
  return syncRolloutStatus(ctx, allRSs, newRS, requeue);
}

/** Old pods still there in any non-terminal phase (terminating ones included: they may still run). */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podMap: Map<string, Pod[]>): boolean {
  if (getActualReplicaCountForReplicaSets(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    for (const p of pods) {
      const phase = p.status?.phase;
      if (phase === 'Failed' || phase === 'Succeeded') continue;
      return true;
    }
  }
  return false;
}

/** isScalingEvent: an active ReplicaSet was annotated for a different spec.replicas. */
export function isScalingEvent(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
  for (const rs of filterActiveReplicaSets([...oldRSs, newRS])) {
    const desired = getDesiredReplicasAnnotation(rs);
    if (desired !== undefined && desired !== replicasOf(d)) return true;
  }
  return false;
}

/** scale: resizes for a scaling event, proportionally when several ReplicaSets are active. */
export async function scale(ctx: DeploymentSyncContext, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const d = ctx.d;
  const one = findActiveOrLatest(newRS, oldRSs);
  if (one) {
    if (replicasOf(one) === replicasOf(d)) return;
    await ctx.scaleReplicaSetAndRecordEvent(one, replicasOf(d));
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActiveReplicaSets(oldRSs)) await ctx.scaleReplicaSetAndRecordEvent(old, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const { sizes, order, operation } = proportionalSizes(d, filterActiveReplicaSets([...oldRSs, newRS]));
  for (const rs of order) await ctx.scaleReplicaSet(rs, sizes.get(rs)!, operation);
}

/** sync: scaling events and paused Deployments; cleans up history only while paused. */
export async function syncScaleOrPaused(ctx: DeploymentSyncContext, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await ctx.getAllReplicaSetsAndSyncRevision(rsList, false);
  await scale(ctx, newRS, oldRSs);
  if (ctx.d.spec.paused) await ctx.cleanupDeployment(oldRSs);
  await syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS);
}
