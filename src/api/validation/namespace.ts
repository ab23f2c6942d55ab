// ValidateNamespace / ValidateNamespaceUpdate / ValidateNamespaceStatusUpdate.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { Namespace } from '../core.js';
import { isQualifiedName, nameIsDNSLabel } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';

const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateNamespace(ns: Namespace): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, false, nameIsDNSLabel, Path.root('metadata'));
  // Upstream reports spec finalizers on the list's own path, without an index.
  const path = Path.root('spec', 'finalizers');
  for (const f of ns.spec?.finalizers ?? []) {
    for (const m of isQualifiedName(f)) errs.push(fieldErr.invalid(path, f, m));
    if (!f.includes('/') && !standardFinalizers.has(f)) {
      errs.push(fieldErr.invalid(path, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return errs;
}

export function validateNamespaceUpdate(ns: Namespace, old: Namespace): FieldError[] {
  return validateObjectMetaUpdate(ns.metadata, old.metadata, Path.root('metadata'));
}

export function validateNamespaceStatusUpdate(ns: Namespace, old: Namespace): FieldError[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata, Path.root('metadata'));
  const phase = ns.status?.phase ?? '';
  // Upstream's path capitalises Phase.
  const path = Path.root('status', 'Phase');
  if (!ns.metadata?.deletionTimestamp) {
    if (phase !== 'Active') errs.push(fieldErr.invalid(path, phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase !== 'Terminating') {
    errs.push(fieldErr.invalid(path, phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  }
  return errs;
}
