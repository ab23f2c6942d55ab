// ObjectMeta rules shared by every kind (apimachinery api/validation/objectmeta.go plus
// core's finalizer-name check).
import { fieldErr, type FieldError, type Path } from '../../machinery/field.js';
import type { ObjectMeta, OwnerReference } from '../meta.js';
import { validateAnnotations, validateLabels } from './labels.js';
import { fieldImmutableErrorMsg, isNegativeErrorMsg } from './messages.js';
import { isQualifiedName, nameIsDNSLabel, type NameValidator } from './names.js';
import { semanticEqual } from './equality.js';

export function validateNonnegativeField(value: number | undefined, path: Path | string): FieldError[] {
  return (value ?? 0) < 0 ? [fieldErr.invalid(path, value, isNegativeErrorMsg)] : [];
}

export function validateImmutableField(newVal: unknown, oldVal: unknown, path: Path | string): FieldError[] {
  return semanticEqual(newVal, oldVal) ? [] : [fieldErr.invalid(path, newVal ?? null, fieldImmutableErrorMsg)];
}

const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function validateFinalizers(finalizers: string[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers ?? []) for (const m of isQualifiedName(f)) errs.push(fieldErr.invalid(path, f, m));
  const list = finalizers ?? [];
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(fieldErr.invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

// core's extra rule: an unprefixed finalizer must be one Kubernetes defines.
function validateKubeFinalizerNames(finalizers: string[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  (finalizers ?? []).forEach((f, i) => {
    if (!f.includes('/') && !standardFinalizers.has(f)) {
      errs.push(fieldErr.invalid(path.index(i), f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

function validateOwnerReferences(refs: OwnerReference[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const version = (ref.apiVersion ?? '').split('/').pop() ?? '';
    if (!version) errs.push(fieldErr.invalid(path.child('apiVersion'), ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errs.push(fieldErr.invalid(path.child('kind'), ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errs.push(fieldErr.invalid(path.child('name'), ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(fieldErr.invalid(path.child('uid'), ref.uid ?? '', 'must not be empty'));
    if (ref.apiVersion === 'v1' && ref.kind === 'Event') {
      errs.push(fieldErr.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller) {
      const cur = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(
          fieldErr.invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`,
          ),
        );
      } else firstController = cur;
    }
  }
  return errs;
}

function validateCommon(meta: ObjectMeta, namespaced: boolean, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (namespaced) {
    if (!meta.namespace) errs.push(fieldErr.required(path.child('namespace'), ''));
    else for (const m of nameIsDNSLabel(meta.namespace, false)) errs.push(fieldErr.invalid(path.child('namespace'), meta.namespace, m));
  } else if (meta.namespace) {
    errs.push(fieldErr.forbidden(path.child('namespace'), 'not allowed on this type'));
  }
  errs.push(...validateNonnegativeField(meta.generation, path.child('generation')));
  errs.push(...validateLabels(meta.labels, path.child('labels')));
  errs.push(...validateAnnotations(meta.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, path.child('finalizers')));
  return errs;
}

/**
 * ValidateObjectMeta on create (name generation already done by the caller). `nameFn` is the
 * kind's name rule: DNS-1035 label for Services, DNS-1123 label for Namespaces, else subdomain.
 */
export function validateObjectMeta(
  meta: ObjectMeta | undefined,
  namespaced: boolean,
  nameFn: NameValidator,
  path: Path,
  /** core's extra finalizer-name rule; kinds outside core (Lease) use apimachinery's only */
  kubeFinalizers = true,
): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of nameFn(m.generateName, true)) errs.push(fieldErr.invalid(path.child('generateName'), m.generateName, msg));
  }
  if (!m.name) errs.push(fieldErr.required(path.child('name'), 'name or generateName is required'));
  else for (const msg of nameFn(m.name, false)) errs.push(fieldErr.invalid(path.child('name'), m.name, msg));
  errs.push(...validateCommon(m, namespaced, path));
  if (kubeFinalizers) errs.push(...validateKubeFinalizerNames(m.finalizers, path.child('finalizers')));
  return errs;
}

/** ValidateObjectMetaUpdate: identity and timestamps never change; labels etc. stay valid. */
export function validateObjectMetaUpdate(
  newMeta: ObjectMeta | undefined,
  oldMeta: ObjectMeta | undefined,
  path: Path,
  kubeFinalizers = true,
): FieldError[] {
  const n = newMeta ?? {};
  const o = oldMeta ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const extra = (n.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f));
    if (extra.length) {
      const list = [...new Set(extra)].sort().map((f) => JSON.stringify(f)).join(', ');
      errs.push(
        fieldErr.forbidden(
          path.child('finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${list}}`,
        ),
      );
    }
  }
  if (!n.resourceVersion) errs.push(fieldErr.invalid(path.child('resourceVersion'), n.resourceVersion ?? '', 'must be specified for an update'));
  if ((n.generation ?? 0) < (o.generation ?? 0)) {
    errs.push(fieldErr.invalid(path.child('generation'), n.generation ?? 0, 'must not be decremented'));
  }
  errs.push(...validateImmutableField(n.name, o.name, path.child('name')));
  errs.push(...validateImmutableField(n.namespace, o.namespace, path.child('namespace')));
  errs.push(...validateImmutableField(n.uid, o.uid, path.child('uid')));
  errs.push(...validateImmutableField(n.creationTimestamp, o.creationTimestamp, path.child('creationTimestamp')));
  errs.push(...validateImmutableField(n.deletionTimestamp, o.deletionTimestamp, path.child('deletionTimestamp')));
  errs.push(...validateImmutableField(n.deletionGracePeriodSeconds, o.deletionGracePeriodSeconds, path.child('deletionGracePeriodSeconds')));
  errs.push(...validateLabels(n.labels, path.child('labels')));
  errs.push(...validateAnnotations(n.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(n.finalizers, path.child('finalizers')));
  if (kubeFinalizers) errs.push(...validateKubeFinalizerNames(n.finalizers, path.child('finalizers')));
  return errs;
}
