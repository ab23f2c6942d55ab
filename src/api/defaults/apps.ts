// SetDefaults_Deployment and SetDefaults_ReplicaSet (apps/v1), plus their template PodSpecs.
import type { Deployment, ReplicaSet } from '../apps.js';
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
