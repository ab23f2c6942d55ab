// ValidateReplicaSet / ValidateReplicaSetUpdate / ValidateReplicaSetStatusUpdate (apps/v1).
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { ReplicaSet, ReplicaSetStatus } from '../apps.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateImmutableField, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';
import { validatePodTemplateSpecForReplicaSet, validateWorkloadSelector } from './workload.js';

function validateReplicaSetSpec(rs: ReplicaSet, path: Path): FieldError[] {
  const spec = rs.spec ?? ({} as ReplicaSet['spec']);
  const errs = validateNonnegativeField(spec.replicas, path.child('replicas'));
  errs.push(...validateNonnegativeField(spec.minReadySeconds, path.child('minReadySeconds')));
  errs.push(...validateWorkloadSelector(spec.selector, path.child('selector')));
  errs.push(...validatePodTemplateSpecForReplicaSet(spec.template, spec.selector, path.child('template')));
  return errs;
}

export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  const errs = validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain, Path.root('metadata'));
  errs.push(...validateReplicaSetSpec(rs, Path.root('spec')));
  return errs;
}

export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  const errs = validateObjectMetaUpdate(rs.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateReplicaSetSpec(rs, Path.root('spec')));
  errs.push(...validateImmutableField(rs.spec?.selector, old.spec?.selector, Path.root('spec', 'selector')));
  return errs;
}

function validateReplicaSetStatus(s: ReplicaSetStatus, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const) {
    errs.push(...validateNonnegativeField(s[k], path.child(k)));
  }
  const replicas = s.replicas ?? 0;
  const msg = 'cannot be greater than status.replicas';
  if ((s.fullyLabeledReplicas ?? 0) > replicas) errs.push(fieldErr.invalid(path.child('fullyLabeledReplicas'), s.fullyLabeledReplicas, msg));
  if ((s.readyReplicas ?? 0) > replicas) errs.push(fieldErr.invalid(path.child('readyReplicas'), s.readyReplicas, msg));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(fieldErr.invalid(path.child('availableReplicas'), s.availableReplicas, msg));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(fieldErr.invalid(path.child('availableReplicas'), s.availableReplicas, 'cannot be greater than readyReplicas'));
  }
  return errs;
}

export function validateReplicaSetStatusUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  const errs = validateObjectMetaUpdate(rs.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateReplicaSetStatus(rs.status ?? { replicas: 0 }, Path.root('status')));
  return errs;
}
