// ValidateDeployment / ValidateDeploymentUpdate / ValidateDeploymentStatusUpdate (apps/v1).
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { Deployment, DeploymentStatus, DeploymentStrategy } from '../apps.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateImmutableField, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';
import { intOrPercentValue, validatePodTemplateSpecForReplicaSet, validatePositiveIntOrPercent, validateWorkloadSelector } from './workload.js';

function validateDeploymentStrategy(strategy: DeploymentStrategy | undefined, path: Path): FieldError[] {
  const s = strategy ?? {};
  switch (s.type) {
    case 'Recreate':
      return s.rollingUpdate ? [fieldErr.forbidden(path.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      const ru = s.rollingUpdate;
      if (!ru) return [fieldErr.required(path.child('rollingUpdate'), 'this should be defaulted and never be nil')];
      const p = path.child('rollingUpdate');
      const errs = validatePositiveIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable'));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, p.child('maxSurge')));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(fieldErr.invalid(p.child('maxUnavailable'), ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      }
      if (typeof ru.maxUnavailable === 'string' && intOrPercentValue(ru.maxUnavailable) > 100) {
        errs.push(fieldErr.invalid(p.child('maxUnavailable'), ru.maxUnavailable, 'must not be greater than 100%'));
      }
      return errs;
    }
    default:
      return [fieldErr.notSupported(path, s, ['Recreate', 'RollingUpdate'])];
  }
}

function validateDeploymentSpec(d: Deployment, path: Path): FieldError[] {
  const spec = d.spec ?? ({} as Deployment['spec']);
  const errs = validateNonnegativeField(spec.replicas, path.child('replicas'));
  errs.push(...validateWorkloadSelector(spec.selector, path.child('selector')));
  errs.push(...validatePodTemplateSpecForReplicaSet(spec.template, spec.selector, path.child('template')));
  errs.push(...validateDeploymentStrategy(spec.strategy, path.child('strategy')));
  errs.push(...validateNonnegativeField(spec.minReadySeconds, path.child('minReadySeconds')));
  if (spec.revisionHistoryLimit !== undefined && spec.revisionHistoryLimit !== null) {
    errs.push(...validateNonnegativeField(spec.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  }
  const pds = spec.progressDeadlineSeconds;
  if (pds !== undefined && pds !== null) {
    errs.push(...validateNonnegativeField(pds, path.child('progressDeadlineSeconds')));
    if (pds <= (spec.minReadySeconds ?? 0)) errs.push(fieldErr.invalid(path.child('progressDeadlineSeconds'), pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export function validateDeployment(d: Deployment): FieldError[] {
  const errs = validateObjectMeta(d.metadata, true, nameIsDNSSubdomain, Path.root('metadata'));
  errs.push(...validateDeploymentSpec(d, Path.root('spec')));
  return errs;
}

/** apps/v1 also forbids changing the selector (extensions/v1beta1 once allowed it). */
export function validateDeploymentUpdate(d: Deployment, old: Deployment): FieldError[] {
  const errs = validateObjectMetaUpdate(d.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateDeploymentSpec(d, Path.root('spec')));
  errs.push(...validateImmutableField(d.spec?.selector, old.spec?.selector, Path.root('spec', 'selector')));
  return errs;
}

function validateDeploymentStatus(s: DeploymentStatus, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const) {
    errs.push(...validateNonnegativeField(s[k], path.child(k)));
  }
  if (s.collisionCount !== undefined && s.collisionCount !== null) errs.push(...validateNonnegativeField(s.collisionCount, path.child('collisionCount')));
  const replicas = s.replicas ?? 0;
  const msg = 'cannot be greater than status.replicas';
  if ((s.updatedReplicas ?? 0) > replicas) errs.push(fieldErr.invalid(path.child('updatedReplicas'), s.updatedReplicas, msg));
  if ((s.readyReplicas ?? 0) > replicas) errs.push(fieldErr.invalid(path.child('readyReplicas'), s.readyReplicas, msg));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(fieldErr.invalid(path.child('availableReplicas'), s.availableReplicas, msg));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(fieldErr.invalid(path.child('availableReplicas'), s.availableReplicas, 'cannot be greater than readyReplicas'));
  }
  return errs;
}

export function validateDeploymentStatusUpdate(d: Deployment, old: Deployment): FieldError[] {
  const errs = validateObjectMetaUpdate(d.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateDeploymentStatus(d.status ?? {}, Path.root('status')));
  const nc = d.status?.collisionCount;
  const oc = old.status?.collisionCount;
  if (oc !== undefined && oc !== null && (nc === undefined || nc === null || nc < oc)) {
    errs.push(fieldErr.invalid(Path.root('status', 'collisionCount'), nc ?? 0, 'cannot be decremented'));
  }
  return errs;
}
