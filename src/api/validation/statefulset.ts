// ValidateStatefulSet / ValidateStatefulSetUpdate / ValidateStatefulSetStatusUpdate (apps/v1).
// Like upstream, the template's pod spec is not validated here: its volume mounts may name claims
// that only volumeClaimTemplates provide, so a pod-level check would refuse valid sets.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { PersistentVolumeClaimTemplate, StatefulSet, StatefulSetSpec, StatefulSetStatus, StatefulSetUpdateStrategy } from '../apps.js';
import type { PersistentVolumeClaimSpec } from '../storage.js';
import { semanticEqual } from './equality.js';
import { validatePersistentVolumeClaimSpec } from './persistentvolume.js';
import { isEmptySelector, selectorMatches, validateAnnotations, validateLabels } from './labels.js';
import { isDNS1123Subdomain, nameIsDNSLabel } from './names.js';
import { validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';
import { intOrPercentValue, isNotMoreThan100Percent, validatePositiveIntOrPercent, validateWorkloadSelector } from './workload.js';

function validateUpdateStrategy(s: StatefulSetUpdateStrategy | undefined, path: Path): FieldError[] {
  const strategy = s ?? {};
  switch (strategy.type) {
    case undefined:
    case '' as never:
      return [fieldErr.required(path, '')];
    case 'OnDelete':
      return strategy.rollingUpdate ? [fieldErr.invalid(path.child('rollingUpdate'), strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'")] : [];
    case 'RollingUpdate': {
      const ru = strategy.rollingUpdate;
      if (!ru) return [];
      const p = path.child('rollingUpdate');
      const errs = validateNonnegativeField(ru.partition, p.child('partition'));
      if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
        const mp = p.child('maxUnavailable');
        errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, mp));
        if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(fieldErr.invalid(mp, ru.maxUnavailable, 'cannot be 0'));
        errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, mp));
      }
      return errs;
    }
    default:
      return [fieldErr.invalid(path, strategy, "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

function validateRetentionPolicy(policy: StatefulSetSpec['persistentVolumeClaimRetentionPolicy'], path: Path): FieldError[] {
  if (!policy) return [];
  const errs: FieldError[] = [];
  for (const k of ['whenDeleted', 'whenScaled'] as const) {
    const v = policy[k];
    if (v !== 'Retain' && v !== 'Delete') errs.push(fieldErr.notSupported(path.child(k), v ?? '', ['Retain', 'Delete']));
  }
  return errs;
}

/**
 * The claim templates, checked as a PersistentVolumeClaim would be (name, access modes, a storage
 * request), so a set that could never get its volumes is refused up front.
 */
function validateVolumeClaimTemplates(templates: PersistentVolumeClaimTemplate[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (templates ?? []).forEach((t, i) => {
    const p = path.index(i);
    const name = t?.metadata?.name ?? '';
    if (!name) errs.push(fieldErr.required(p.child('metadata', 'name'), 'name or generateName is required'));
    else {
      for (const m of isDNS1123Subdomain(name)) errs.push(fieldErr.invalid(p.child('metadata', 'name'), name, m));
      if (seen.has(name)) errs.push(fieldErr.duplicate(p.child('metadata', 'name'), name));
      seen.add(name);
    }
    errs.push(...validatePersistentVolumeClaimSpec((t?.spec ?? {}) as PersistentVolumeClaimSpec, p.child('spec')));
  });
  return errs;
}

function validateStatefulSetSpec(spec: StatefulSetSpec, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy;
  if (!pmp) errs.push(fieldErr.required(path.child('podManagementPolicy'), ''));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(fieldErr.invalid(path.child('podManagementPolicy'), pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  errs.push(...validateUpdateStrategy(spec.updateStrategy, path.child('updateStrategy')));
  errs.push(...validateRetentionPolicy(spec.persistentVolumeClaimRetentionPolicy, path.child('persistentVolumeClaimRetentionPolicy')));
  errs.push(...validateNonnegativeField(spec.replicas, path.child('replicas')));
  errs.push(...validateNonnegativeField(spec.minReadySeconds, path.child('minReadySeconds')));
  if (spec.ordinals) errs.push(...validateNonnegativeField(spec.ordinals.start, path.child('ordinals.start')));
  if (spec.revisionHistoryLimit !== undefined && spec.revisionHistoryLimit !== null) {
    errs.push(...validateNonnegativeField(spec.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  }
  errs.push(...validateWorkloadSelector(spec.selector, path.child('selector'), 'statefulset'));
  const t = spec.template;
  const tp = path.child('template');
  if (!t) errs.push(fieldErr.required(tp, ''));
  else {
    if (spec.selector && !isEmptySelector(spec.selector) && !selectorMatches(spec.selector, t.metadata?.labels)) {
      errs.push(fieldErr.invalid(tp.child('metadata', 'labels'), t.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
    }
    errs.push(...validateLabels(t.metadata?.labels, tp.child('labels')));
    errs.push(...validateAnnotations(t.metadata?.annotations, tp.child('annotations')));
  }
  const rp = t?.spec?.restartPolicy ?? '';
  if (rp !== 'Always') errs.push(fieldErr.notSupported(tp.child('spec', 'restartPolicy'), rp, ['Always']));
  if (t?.spec?.activeDeadlineSeconds !== undefined && t?.spec?.activeDeadlineSeconds !== null) {
    errs.push(fieldErr.forbidden(tp.child('spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  errs.push(...validateVolumeClaimTemplates(spec.volumeClaimTemplates, path.child('volumeClaimTemplates')));
  return errs;
}

export function validateStatefulSet(s: StatefulSet): FieldError[] {
  const errs = validateObjectMeta(s.metadata, true, nameIsDNSLabel, Path.root('metadata'));
  errs.push(...validateStatefulSetSpec(s.spec ?? ({} as StatefulSetSpec), Path.root('spec')));
  return errs;
}

/** Only replicas, ordinals, template, updateStrategy, the claim retention policy and minReadySeconds may change. */
export function validateStatefulSetUpdate(s: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = validateObjectMetaUpdate(s.metadata, old.metadata, Path.root('metadata'));
  const spec = s.spec ?? ({} as StatefulSetSpec);
  errs.push(...validateStatefulSetSpec(spec, Path.root('spec')));
  const mutable = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy'] as const;
  const a: Record<string, unknown> = { ...spec };
  const b: Record<string, unknown> = { ...(old.spec ?? {}) };
  for (const k of mutable) {
    delete a[k];
    delete b[k];
  }
  if (!semanticEqual(a, b)) {
    errs.push(
      fieldErr.forbidden(
        Path.root('spec'),
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

function validateStatefulSetStatus(s: StatefulSetStatus, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'] as const) {
    errs.push(...validateNonnegativeField(s[k], path.child(k)));
  }
  const replicas = s.replicas ?? 0;
  const msg = 'cannot be greater than status.replicas';
  for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'] as const) {
    if ((s[k] ?? 0) > replicas) errs.push(fieldErr.invalid(path.child(k), s[k], msg));
  }
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(fieldErr.invalid(path.child('availableReplicas'), s.availableReplicas, 'cannot be greater than status.readyReplicas'));
  }
  return errs;
}

export function validateStatefulSetStatusUpdate(s: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = validateStatefulSetStatus(s.status ?? { replicas: 0 }, Path.root('status'));
  errs.push(...validateObjectMetaUpdate(s.metadata, old.metadata, Path.root('metadata')));
  errs.push(...validateCollisionCountNotDecremented(s.status?.collisionCount, old.status?.collisionCount));
  return errs;
}

/** IsDecremented: a collision count only grows (it salts revision names). */
export function validateCollisionCountNotDecremented(cur: number | undefined, old: number | undefined): FieldError[] {
  if (old === undefined || old === null) return [];
  if (cur === undefined || cur === null || cur < old) return [fieldErr.invalid(Path.root('status', 'collisionCount'), cur ?? 0, 'cannot be decremented')];
  return [];
}
