// ValidatePersistentVolume(Update|StatusUpdate) and ValidatePersistentVolumeClaim(Update|StatusUpdate)
// (core validation), with upstream's field paths and messages.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import { Quantity } from '../quantity.js';
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec } from '../storage.js';
import { semanticEqual } from './equality.js';
import { validateLabelSelector } from './labels.js';
import { fieldImmutableErrorMsg } from './messages.js';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from './names.js';
import { validateNodeSelector } from './node-selector.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';
import { validateResourceRequirements } from './resources.js';

const supportedAccessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const supportedVolumeModes = ['Block', 'Filesystem'];
const supportedReclaimPolicies = ['Delete', 'Recycle', 'Retain'];
const hostPathTypes = ['BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
const isNotPositiveErrorMsg = 'must be greater than zero';

/** The persistent volume sources a PersistentVolumeSpec may carry (exactly one). */
export const persistentVolumeSources = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc',
  'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume',
  'scaleIO', 'local', 'storageos', 'csi',
];

/** ValidateClassName: a storage class name is a DNS subdomain. */
function validateClassName(name: string | undefined | null, path: Path): FieldError[] {
  if (!name) return [];
  return isDNS1123Subdomain(name).map((m) => fieldErr.invalid(path, name, m));
}

function validateAccessModes(modes: string[] | undefined, path: Path): FieldError[] {
  const list = modes ?? [];
  if (list.length === 0) return [fieldErr.required(path, 'at least 1 access mode is required')];
  const errs: FieldError[] = [];
  for (const m of list) if (!supportedAccessModes.includes(m)) errs.push(fieldErr.notSupported(path, m, supportedAccessModes));
  if (list.includes('ReadWriteOncePod') && list.length > 1) errs.push(fieldErr.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

/** ValidatePositiveQuantityValue; quantities that do not parse were refused by the decoder already. */
function positiveQuantity(q: unknown, path: Path): FieldError[] {
  try {
    if (Quantity.parse(String(q)).compare(new Quantity(0n, 1n)) <= 0) return [fieldErr.invalid(path, String(q), isNotPositiveErrorMsg)];
  } catch (e) {
    return [fieldErr.invalid(path, String(q), (e as Error).message)];
  }
  return [];
}

function validateVolumeMode(mode: string | undefined, path: Path): FieldError[] {
  return mode !== undefined && !supportedVolumeModes.includes(mode) ? [fieldErr.notSupported(path, mode, supportedVolumeModes)] : [];
}

function validateSource(pv: PersistentVolume, path: Path): FieldError[] {
  const spec = pv.spec ?? {};
  const set = persistentVolumeSources.filter((k) => spec[k] !== undefined && spec[k] !== null);
  if (set.length === 0) return [fieldErr.required(path, 'must specify a volume type')];
  const errs = set.slice(1).map((k) => fieldErr.forbidden(path.child(k), 'may not specify more than 1 volume type'));
  if (spec.hostPath) {
    const p = path.child('hostPath');
    const hp = spec.hostPath.path ?? '';
    if (!hp) errs.push(fieldErr.required(p.child('path'), ''));
    else if (hp.split('/').includes('..')) errs.push(fieldErr.invalid(p.child('path'), hp, "must not contain '..'"));
    const t = spec.hostPath.type;
    if (t && !hostPathTypes.includes(t)) errs.push(fieldErr.notSupported(p.child('type'), t, hostPathTypes));
    if (hp === '/' && spec.persistentVolumeReclaimPolicy === 'Recycle') {
      errs.push(fieldErr.forbidden(path.child('persistentVolumeReclaimPolicy'), "may not be 'recycle' for a hostPath mount of '/'"));
    }
  }
  if (spec.local) {
    const p = path.child('local');
    const lp = spec.local.path ?? '';
    if (!lp) errs.push(fieldErr.required(p.child('path'), ''));
    else if (!lp.startsWith('/')) errs.push(fieldErr.invalid(p.child('path'), lp, 'must be an absolute path'));
    else if (lp.split('/').includes('..')) errs.push(fieldErr.invalid(p.child('path'), lp, "must not contain '..'"));
    if (!spec.nodeAffinity) errs.push(fieldErr.required(path.child('nodeAffinity'), 'Local volume requires node affinity'));
  }
  return errs;
}

function validatePersistentVolumeSpec(pv: PersistentVolume, path: Path): FieldError[] {
  const spec = pv.spec ?? {};
  const errs = validateAccessModes(spec.accessModes, path.child('accessModes'));
  const cap = spec.capacity ?? {};
  const capPath = path.child('capacity');
  if (Object.keys(cap).length === 0) errs.push(fieldErr.required(capPath, ''));
  else if (!('storage' in cap) || Object.keys(cap).length > 1) errs.push(fieldErr.notSupported(capPath, cap, ['storage']));
  for (const [r, q] of Object.entries(cap)) errs.push(...positiveQuantity(q, capPath.key(r)));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy && !supportedReclaimPolicies.includes(policy)) errs.push(fieldErr.notSupported(path.child('persistentVolumeReclaimPolicy'), policy, supportedReclaimPolicies));
  errs.push(...validateClassName(spec.storageClassName, path.child('storageClassName')));
  errs.push(...validateVolumeMode(spec.volumeMode, path.child('volumeMode')));
  if (spec.nodeAffinity) {
    const np = path.child('nodeAffinity');
    if (!spec.nodeAffinity.required) errs.push(fieldErr.required(np.child('required'), 'must specify required node constraints'));
    else errs.push(...validateNodeSelector(spec.nodeAffinity.required, np.child('required')));
  }
  errs.push(...validateSource(pv, path));
  return errs;
}

export function validatePersistentVolume(pv: PersistentVolume): FieldError[] {
  const errs = validateObjectMeta(pv.metadata, false, nameIsDNSSubdomain, Path.root('metadata'));
  errs.push(...validatePersistentVolumeSpec(pv, Path.root('spec')));
  return errs;
}

function sourceOf(pv: PersistentVolume): Record<string, unknown> {
  const spec = pv.spec ?? {};
  return Object.fromEntries(persistentVolumeSources.filter((k) => spec[k] !== undefined && spec[k] !== null).map((k) => [k, spec[k]]));
}

export function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs = validateObjectMetaUpdate(pv.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validatePersistentVolumeSpec(pv, Path.root('spec')));
  if (!semanticEqual(sourceOf(pv), sourceOf(old))) {
    errs.push(fieldErr.forbidden(Path.root('spec').child('persistentvolumesource'), 'spec.persistentvolumesource is immutable after creation'));
  }
  if (pv.spec?.volumeMode !== old.spec?.volumeMode) errs.push(fieldErr.invalid(Path.root('volumeMode'), pv.spec?.volumeMode, fieldImmutableErrorMsg));
  if (old.spec?.nodeAffinity && !semanticEqual(pv.spec?.nodeAffinity, old.spec.nodeAffinity)) {
    errs.push(fieldErr.invalid(Path.root('nodeAffinity'), pv.spec?.nodeAffinity, fieldImmutableErrorMsg));
  }
  return errs;
}

export function validatePersistentVolumeStatusUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  return validateObjectMetaUpdate(pv.metadata, old.metadata, Path.root('metadata'));
}

/** ValidatePersistentVolumeClaimSpec; also what a StatefulSet's volumeClaimTemplates are held to. */
export function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec, path: Path): FieldError[] {
  const errs = validateAccessModes(spec.accessModes, path.child('accessModes'));
  if (spec.selector) errs.push(...validateLabelSelector(spec.selector, path.child('selector')));
  errs.push(...validateResourceRequirements(spec.resources, path.child('resources')));
  const storagePath = path.child('resources').key('storage');
  const storage = spec.resources?.requests?.['storage'];
  if (storage === undefined || storage === null) errs.push(fieldErr.required(storagePath, ''));
  else errs.push(...positiveQuantity(storage, storagePath));
  errs.push(...validateClassName(spec.storageClassName, path.child('storageClassName')));
  errs.push(...validateVolumeMode(spec.volumeMode, path.child('volumeMode')));
  return errs;
}

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim): FieldError[] {
  const errs = validateObjectMeta(pvc.metadata, true, nameIsDNSSubdomain, Path.root('metadata'));
  errs.push(...validatePersistentVolumeClaimSpec(pvc.spec ?? {}, Path.root('spec')));
  return errs;
}

/** A short line per spec field that changed, standing in for upstream's go-cmp diff. */
function specDiff(a: object, b: object): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys
    .filter((k) => !semanticEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    .map((k) => `  ${k}: ${JSON.stringify((a as Record<string, unknown>)[k]) ?? '<nil>'} -> ${JSON.stringify((b as Record<string, unknown>)[k]) ?? '<nil>'}`)
    .join('\n');
}

function storageOf(spec: PersistentVolumeClaimSpec | undefined): Quantity | undefined {
  const s = spec?.resources?.requests?.['storage'];
  try {
    return s === undefined ? undefined : Quantity.parse(String(s));
  } catch {
    return undefined;
  }
}

export function validatePersistentVolumeClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validatePersistentVolumeClaim(pvc).filter((e) => !e.field.startsWith('metadata')));
  const newSpec = structuredClone(pvc.spec ?? {});
  const oldSpec = structuredClone(old.spec ?? {});
  // The binder sets volumeName once; a class may be set once where there was none.
  if (!oldSpec.volumeName) oldSpec.volumeName = newSpec.volumeName;
  if ((oldSpec.storageClassName === undefined || oldSpec.storageClassName === null) && !old.metadata.annotations?.['volume.beta.kubernetes.io/storage-class']) {
    oldSpec.storageClassName = newSpec.storageClassName;
  }
  // A bound claim may grow; resources.requests is compared below.
  if (old.status?.phase === 'Bound' && newSpec.resources?.requests) {
    newSpec.resources.requests['storage'] = oldSpec.resources?.requests?.['storage'] as string;
  }
  if (old.status?.phase === 'Bound' && newSpec.volumeAttributesClassName !== undefined) oldSpec.volumeAttributesClassName = newSpec.volumeAttributesClassName;
  if (!semanticEqual(newSpec, oldSpec)) {
    errs.push(
      fieldErr.forbidden(
        Path.root('spec'),
        `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${specDiff(oldSpec, newSpec)}`,
      ),
    );
  }
  const oldSize = storageOf(old.spec);
  const newSize = storageOf(pvc.spec);
  if (oldSize && newSize && newSize.compare(oldSize) < 0) {
    errs.push(fieldErr.forbidden(Path.root('spec').child('resources', 'requests', 'storage'), 'field can not be less than previous value'));
  }
  return errs;
}

export function validatePersistentVolumeClaimStatusUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata, Path.root('metadata'));
  const capPath = Path.root('status').child('capacity');
  for (const [r, q] of Object.entries(pvc.status?.capacity ?? {})) {
    try {
      if (Quantity.parse(String(q)).compare(new Quantity(0n, 1n)) < 0) errs.push(fieldErr.invalid(capPath.key(r), String(q), 'must be greater than or equal to 0'));
    } catch {
      /* refused by the decoder */
    }
  }
  return errs;
}
