// ValidateStorageClass / ValidateStorageClassUpdate (pkg/apis/storage/validation).
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { StorageClass } from '../storage.js';
import { fieldImmutableErrorMsg } from './messages.js';
import { semanticEqual } from './equality.js';
import { isQualifiedName, nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';

const maxProvisionerParameterSize = 256 * 1024;
const maxProvisionerParameterLen = 512;
const supportedReclaimPolicies = ['Delete', 'Retain'];
const supportedVolumeBindingModes = ['Immediate', 'WaitForFirstConsumer'];

function validateParameters(params: Record<string, string> | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const entries = Object.entries(params ?? {});
  if (entries.length > maxProvisionerParameterLen) errs.push(fieldErr.tooLong(path, 'Provisioner Parameters exceeded max allowed', maxProvisionerParameterLen));
  let total = 0;
  for (const [k, v] of entries) {
    if (k.length < 1) errs.push(fieldErr.invalid(path, k, 'field can not be empty.'));
    total += k.length + String(v).length;
  }
  if (total > maxProvisionerParameterSize) errs.push(fieldErr.tooLong(path, '', maxProvisionerParameterSize));
  return errs;
}

function validateAllowedTopologies(terms: StorageClass['allowedTopologies'], path: Path): FieldError[] {
  const errs: FieldError[] = [];
  (terms ?? []).forEach((t, i) => {
    const p = path.index(i);
    const exprs = t?.matchLabelExpressions ?? [];
    if (exprs.length === 0) errs.push(fieldErr.required(p, 'must have at least one label key'));
    exprs.forEach((e, j) => {
      const ep = p.child('matchLabelExpressions').index(j);
      for (const m of isQualifiedName(e?.key ?? '')) errs.push(fieldErr.invalid(ep.child('key'), e?.key ?? '', m));
      if ((e?.values ?? []).length === 0) errs.push(fieldErr.required(ep.child('values'), 'must specify as least one value'));
    });
  });
  return errs;
}

export function validateStorageClass(sc: StorageClass): FieldError[] {
  const errs = validateObjectMeta(sc.metadata, false, nameIsDNSSubdomain, Path.root('metadata'));
  const provisioner = sc.provisioner ?? '';
  if (!provisioner) errs.push(fieldErr.required(Path.root('provisioner'), provisioner));
  else for (const m of isQualifiedName(provisioner.toLowerCase())) errs.push(fieldErr.invalid(Path.root('provisioner'), provisioner.toLowerCase(), m));
  errs.push(...validateParameters(sc.parameters, Path.root('parameters')));
  if (sc.reclaimPolicy && !supportedReclaimPolicies.includes(sc.reclaimPolicy)) {
    errs.push(fieldErr.notSupported(Path.root('reclaimPolicy'), sc.reclaimPolicy, supportedReclaimPolicies));
  }
  if (!sc.volumeBindingMode) errs.push(fieldErr.required(Path.root('volumeBindingMode'), ''));
  else if (!supportedVolumeBindingModes.includes(sc.volumeBindingMode)) {
    errs.push(fieldErr.notSupported(Path.root('volumeBindingMode'), sc.volumeBindingMode, supportedVolumeBindingModes));
  }
  errs.push(...validateAllowedTopologies(sc.allowedTopologies, Path.root('allowedTopologies')));
  return errs;
}

export function validateStorageClassUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errs = validateObjectMetaUpdate(sc.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateStorageClass(sc).filter((e) => !e.field.startsWith('metadata')));
  if (!semanticEqual(sc.parameters ?? {}, old.parameters ?? {})) {
    errs.push(fieldErr.forbidden(Path.root('parameters'), 'updates to parameters are forbidden.'));
  }
  if (sc.provisioner !== old.provisioner) errs.push(fieldErr.forbidden(Path.root('provisioner'), 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(fieldErr.forbidden(Path.root('reclaimPolicy'), 'updates to reclaimPolicy are forbidden.'));
  if (sc.volumeBindingMode !== old.volumeBindingMode) errs.push(fieldErr.invalid(Path.root('volumeBindingMode'), sc.volumeBindingMode, fieldImmutableErrorMsg));
  return errs;
}
