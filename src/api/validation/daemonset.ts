// ValidateDaemonSet / ValidateDaemonSetUpdate / ValidateDaemonSetStatusUpdate (apps/v1).
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { DaemonSet, DaemonSetSpec, DaemonSetStatus, DaemonSetUpdateStrategy } from '../apps.js';
import { isEmptySelector, selectorMatches } from './labels.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateImmutableField, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';
import { validatePodTemplateSpec } from './podspec.js';
import { validateCollisionCountNotDecremented } from './statefulset.js';
import { intOrPercentValue, isNotMoreThan100Percent, validatePositiveIntOrPercent, validateWorkloadSelector } from './workload.js';

function validateUpdateStrategy(s: DaemonSetUpdateStrategy | undefined, path: Path): FieldError[] {
  const strategy = s ?? {};
  switch (strategy.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate': {
      const ru = strategy.rollingUpdate;
      const p = path.child('rollingUpdate');
      if (!ru) return [fieldErr.required(p, '')];
      const errs = validatePositiveIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable'));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, p.child('maxSurge')));
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, p.child('maxUnavailable')));
      errs.push(...isNotMoreThan100Percent(ru.maxSurge, p.child('maxSurge')));
      // Exactly one of the two moves the rollout: surge replaces a node's pod before the old one goes.
      const unavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const surge = intOrPercentValue(ru.maxSurge) !== 0;
      if (unavailable && surge) errs.push(fieldErr.invalid(p.child('maxSurge'), ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      else if (!unavailable && !surge) errs.push(fieldErr.required(p.child('maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
      return errs;
    }
    default:
      return [fieldErr.notSupported(path, strategy, ['RollingUpdate', 'OnDelete'])];
  }
}

function validateDaemonSetSpec(spec: DaemonSetSpec, path: Path): FieldError[] {
  const errs = validateWorkloadSelector(spec.selector, path.child('selector'), 'daemonset');
  const t = spec.template;
  if (spec.selector && !isEmptySelector(spec.selector) && !selectorMatches(spec.selector, t?.metadata?.labels)) {
    errs.push(fieldErr.invalid(path.child('template', 'metadata', 'labels'), t?.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
  }
  if (!t) errs.push(fieldErr.required(path.child('template'), ''));
  else errs.push(...validatePodTemplateSpec(t, path.child('template')));
  const rp = t?.spec?.restartPolicy ?? '';
  if (rp !== 'Always') errs.push(fieldErr.notSupported(path.child('template', 'spec', 'restartPolicy'), rp, ['Always']));
  if (t?.spec?.activeDeadlineSeconds !== undefined && t?.spec?.activeDeadlineSeconds !== null) {
    errs.push(fieldErr.forbidden(path.child('template', 'spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...validateNonnegativeField(spec.minReadySeconds, path.child('minReadySeconds')));
  errs.push(...validateUpdateStrategy(spec.updateStrategy, path.child('updateStrategy')));
  if (spec.revisionHistoryLimit !== undefined && spec.revisionHistoryLimit !== null) {
    errs.push(...validateNonnegativeField(spec.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  }
  return errs;
}

export function validateDaemonSet(ds: DaemonSet): FieldError[] {
  const errs = validateObjectMeta(ds.metadata, true, nameIsDNSSubdomain, Path.root('metadata'));
  errs.push(...validateDaemonSetSpec(ds.spec ?? ({} as DaemonSetSpec), Path.root('spec')));
  return errs;
}

/** apps/v1 forbids a selector change (the strategy's ValidateUpdate adds it to the spec checks). */
export function validateDaemonSetUpdate(ds: DaemonSet, old: DaemonSet): FieldError[] {
  const errs = validateObjectMetaUpdate(ds.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateDaemonSetSpec(ds.spec ?? ({} as DaemonSetSpec), Path.root('spec')));
  errs.push(...validateImmutableField(ds.spec?.selector, old.spec?.selector, Path.root('spec', 'selector')));
  return errs;
}

function validateDaemonSetStatus(s: DaemonSetStatus, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const keys = [
    'currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration',
    'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount',
  ] as const;
  for (const k of keys) errs.push(...validateNonnegativeField(s[k], path.child(k)));
  return errs;
}

export function validateDaemonSetStatusUpdate(ds: DaemonSet, old: DaemonSet): FieldError[] {
  const errs = validateObjectMetaUpdate(ds.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateDaemonSetStatus(ds.status ?? ({} as DaemonSetStatus), Path.root('status')));
  errs.push(...validateCollisionCountNotDecremented(ds.status?.collisionCount, old.status?.collisionCount));
  return errs;
}
