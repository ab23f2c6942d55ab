// SetDefaults_Deployment, _ReplicaSet, _StatefulSet and _DaemonSet (apps/v1), plus their template PodSpecs.
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from '../apps.js';
import { setDefaultsPodTemplateSpec } from './pod.js';

export function setDefaultsDeployment(d: Deployment): void {
  const spec = (d.spec ??= {} as Deployment['spec']);
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  const strategy = (spec.strategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = '25%';
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = '25%';
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined || spec.progressDeadlineSeconds === null) spec.progressDeadlineSeconds = 600;
  setDefaultsPodTemplateSpec(spec.template);
}

export function setDefaultsReplicaSet(rs: ReplicaSet): void {
  const spec = (rs.spec ??= {} as ReplicaSet['spec']);
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  setDefaultsPodTemplateSpec(spec.template);
}

/** SetDefaults_StatefulSet (apps/v1), with StatefulSetAutoDeletePVC on as in 1.32 (beta). */
export function setDefaultsStatefulSet(s: StatefulSet): void {
  const spec = (s.spec ??= {} as StatefulSet['spec']);
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  const strategy = (spec.updateStrategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    if (ru.partition === undefined || ru.partition === null) ru.partition = 0;
  }
  const policy = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  if (!policy.whenDeleted) policy.whenDeleted = 'Retain';
  if (!policy.whenScaled) policy.whenScaled = 'Retain';
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  setDefaultsPodTemplateSpec(spec.template);
  // SetDefaults_PersistentVolumeClaim on each template: Filesystem volumes unless asked otherwise.
  for (const t of spec.volumeClaimTemplates ?? []) {
    if (t && typeof t === 'object' && t.spec && typeof t.spec === 'object' && !t.spec.volumeMode) t.spec.volumeMode = 'Filesystem';
  }
}

/** SetDefaults_DaemonSet (apps/v1): RollingUpdate one node at a time, no surge. */
export function setDefaultsDaemonSet(ds: DaemonSet): void {
  const spec = (ds.spec ??= {} as DaemonSet['spec']);
  const strategy = (spec.updateStrategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = 1;
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = 0;
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  setDefaultsPodTemplateSpec(spec.template);
}
