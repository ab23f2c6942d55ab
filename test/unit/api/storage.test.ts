// PersistentVolume, PersistentVolumeClaim and StorageClass rules with upstream's messages, the
// claim/volume matching the binder and the scheduler share, and the kubectl columns.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setDefaultsPersistentVolume, setDefaultsPersistentVolumeClaim, setDefaultsStorageClass } from '../../../src/api/defaults/storage.js';
import type { Node } from '../../../src/api/core.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../src/api/storage.js';
import {
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeUpdate,
} from '../../../src/api/validation/persistentvolume.js';
import { validateStorageClass, validateStorageClassUpdate } from '../../../src/api/validation/storageclass.js';
import { findMatchingVolume } from '../../../src/api/scheduling/volume-match.js';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from '../../../src/apiserver/tables/storage.js';
import { assertErrors, clone } from './helpers.js';

const pv = (name: string, spec: PersistentVolume['spec'], labels?: Record<string, string>): PersistentVolume => {
  const v: PersistentVolume = { metadata: { name, resourceVersion: '1', ...(labels ? { labels } : {}) }, spec };
  setDefaultsPersistentVolume(v);
  return v;
};
const pvc = (spec: PersistentVolumeClaim['spec']): PersistentVolumeClaim => {
  const c: PersistentVolumeClaim = { metadata: { name: 'data', namespace: 'default', uid: 'u-1', resourceVersion: '1' }, spec };
  setDefaultsPersistentVolumeClaim(c);
  return c;
};
const goodPV = () => pv('pv1', { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/srv/pv1' } });
const goodPVC = () => pvc({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });

describe('PersistentVolume', () => {
  it('defaults as upstream: Retain, Filesystem, Pending', () => {
    const v = goodPV();
    assert.equal(v.spec!.persistentVolumeReclaimPolicy, 'Retain');
    assert.equal(v.spec!.volumeMode, 'Filesystem');
    assert.equal(v.status!.phase, 'Pending');
    assertErrors(validatePersistentVolume(v), [], 'valid');
  });
  it('refuses bad access modes, capacity, policy, class, mode and sources with upstream text', () => {
    const v = pv('pv1', {
      capacity: { storage: '0', cpu: '1' },
      accessModes: ['ReadWriteSometimes'],
      persistentVolumeReclaimPolicy: 'Keep',
      storageClassName: 'Not_A_Class',
      volumeMode: 'Tape',
      hostPath: { path: '/a' },
      nfs: { server: 'x', path: '/y' },
    });
    assertErrors(validatePersistentVolume(v), [
      { field: 'spec.accessModes', type: 'FieldValueNotSupported', message: 'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"' },
      { field: 'spec.capacity', type: 'FieldValueNotSupported' },
      { field: 'spec.capacity[storage]', type: 'FieldValueInvalid', message: 'spec.capacity[storage]: Invalid value: "0": must be greater than zero' },
      { field: 'spec.persistentVolumeReclaimPolicy', type: 'FieldValueNotSupported', message: 'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"' },
      { field: 'spec.storageClassName', type: 'FieldValueInvalid' },
      { field: 'spec.volumeMode', type: 'FieldValueNotSupported', message: 'spec.volumeMode: Unsupported value: "Tape": supported values: "Block", "Filesystem"' },
      { field: 'spec.nfs', type: 'FieldValueForbidden', message: 'spec.nfs: Forbidden: may not specify more than 1 volume type' },
    ], 'bad pv');
    assertErrors(validatePersistentVolume(pv('e', {})), [
      { field: 'spec.accessModes', type: 'FieldValueRequired', message: 'spec.accessModes: Required value: at least 1 access mode is required' },
      { field: 'spec.capacity', type: 'FieldValueRequired' },
      { field: 'spec', type: 'FieldValueRequired', message: 'spec: Required value: must specify a volume type' },
    ], 'empty pv');
  });
  it('a local volume needs an absolute path and node affinity', () => {
    const v = pv('l', { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], local: { path: 'rel' } });
    assertErrors(validatePersistentVolume(v), [
      { field: 'spec.local.path', type: 'FieldValueInvalid', message: 'spec.local.path: Invalid value: "rel": must be an absolute path' },
      { field: 'spec.nodeAffinity', type: 'FieldValueRequired', message: 'spec.nodeAffinity: Required value: Local volume requires node affinity' },
    ], 'local');
  });
  it('keeps its source immutable', () => {
    const old = goodPV();
    const next = clone(old);
    next.spec!.hostPath = { path: '/elsewhere' };
    const errs = validatePersistentVolumeUpdate(next, old);
    assert.equal(errs.length, 1);
    assert.match(errs[0]!.detail, /^spec.persistentvolumesource is immutable after creation/);
  });
});

describe('PersistentVolumeClaim', () => {
  it('needs access modes and a positive storage request', () => {
    assertErrors(validatePersistentVolumeClaim(pvc({ resources: { requests: { storage: '-1Gi' } } })), [
      { field: 'spec.accessModes', type: 'FieldValueRequired' },
      { field: 'spec.resources.requests[storage]', type: 'FieldValueInvalid', message: 'spec.resources.requests[storage]: Invalid value: "-1Gi": must be greater than or equal to 0' },
      { field: 'spec.resources[storage]', type: 'FieldValueInvalid', message: 'spec.resources[storage]: Invalid value: "-1Gi": must be greater than zero' },
    ], 'bad claim');
    assertErrors(validatePersistentVolumeClaim(pvc({ accessModes: ['ReadWriteOncePod', 'ReadWriteOnce'] })), [
      { field: 'spec.accessModes', type: 'FieldValueForbidden', message: 'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes' },
      { field: 'spec.resources[storage]', type: 'FieldValueRequired' },
    ], 'rwop');
  });
  it('is immutable but for volumeName once, a class where there was none, and growth when bound', () => {
    const old = goodPVC();
    const binding = clone(old);
    binding.spec!.volumeName = 'pv1';
    binding.spec!.storageClassName = 'manual';
    assertErrors(validatePersistentVolumeClaimUpdate(binding, old), [], 'binder writes');
    const modes = clone(binding);
    modes.spec!.accessModes = ['ReadWriteMany'];
    const errs = validatePersistentVolumeClaimUpdate(modes, binding);
    assert.equal(errs.length, 1);
    assert.equal(errs[0]!.field, 'spec');
    assert.match(errs[0]!.detail, /^spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n {2}accessModes: /);
    const bound = clone(binding);
    bound.status = { phase: 'Bound' };
    const grown = clone(bound);
    grown.spec!.resources!.requests!['storage'] = '2Gi';
    assertErrors(validatePersistentVolumeClaimUpdate(grown, bound), [], 'growth');
    const shrunk = clone(bound);
    shrunk.spec!.resources!.requests!['storage'] = '512Mi';
    assertErrors(validatePersistentVolumeClaimUpdate(shrunk, bound), [
      { field: 'spec.resources.requests.storage', type: 'FieldValueForbidden', message: 'spec.resources.requests.storage: Forbidden: field can not be less than previous value' },
    ], 'shrink');
  });
});

describe('StorageClass', () => {
  const sc = (o: Partial<StorageClass>): StorageClass => {
    const c: StorageClass = { metadata: { name: 'fast', resourceVersion: '1' }, ...o };
    setDefaultsStorageClass(c);
    return c;
  };
  it('defaults Delete and Immediate, and checks provisioner, policy and parameters', () => {
    const c = sc({ provisioner: 'example.com/x' });
    assert.equal(c.reclaimPolicy, 'Delete');
    assert.equal(c.volumeBindingMode, 'Immediate');
    assertErrors(validateStorageClass(c), [], 'valid');
    assertErrors(validateStorageClass(sc({ reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' })), [
      { field: 'provisioner', type: 'FieldValueRequired' },
      { field: 'reclaimPolicy', type: 'FieldValueNotSupported', message: 'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"' },
      { field: 'volumeBindingMode', type: 'FieldValueNotSupported', message: 'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"' },
    ], 'bad class');
  });
  it('forbids changing parameters, provisioner, reclaimPolicy and volumeBindingMode', () => {
    const old = sc({ provisioner: 'example.com/x', parameters: { a: 'b' } });
    const next = sc({ provisioner: 'example.com/y', parameters: { a: 'c' }, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' });
    assertErrors(validateStorageClassUpdate(next, old), [
      { field: 'parameters', type: 'FieldValueForbidden', message: 'parameters: Forbidden: updates to parameters are forbidden.' },
      { field: 'provisioner', type: 'FieldValueForbidden', message: 'provisioner: Forbidden: updates to provisioner are forbidden.' },
      { field: 'reclaimPolicy', type: 'FieldValueForbidden', message: 'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.' },
      { field: 'volumeBindingMode', type: 'FieldValueInvalid', message: 'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable' },
    ], 'update');
  });
});

describe('matching a claim to a volume', () => {
  const available = (v: PersistentVolume) => ({ ...v, status: { phase: 'Available' } });
  const node = (name: string): Node => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name } } }) as Node;
  const pinned = (name: string, host: string, size: string) =>
    available(pv(name, {
      capacity: { storage: size }, accessModes: ['ReadWriteOnce'], storageClassName: 'local', local: { path: `/mnt/${name}` },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [host] }] }] } },
    }));
  it('takes the smallest Available volume of the class that is large enough and has the modes', () => {
    const claim = pvc({ accessModes: ['ReadWriteOnce'], storageClassName: 'slow', resources: { requests: { storage: '1Gi' } } });
    const vols = [
      available(pv('big', { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'slow', hostPath: { path: '/a' } })),
      available(pv('small', { capacity: { storage: '512Mi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'slow', hostPath: { path: '/b' } })),
      available(pv('right', { capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], storageClassName: 'slow', hostPath: { path: '/c' } })),
      available(pv('rox', { capacity: { storage: '1Gi' }, accessModes: ['ReadOnlyMany'], storageClassName: 'slow', hostPath: { path: '/d' } })),
      available(pv('other', { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'fast', hostPath: { path: '/e' } })),
      pv('pending', { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'slow', hostPath: { path: '/f' } }),
    ];
    assert.equal(findMatchingVolume(claim, vols, undefined, false)?.metadata.name, 'right');
  });
  it('honours the claim selector and a volume pre-bound to another claim', () => {
    const claim = pvc({ accessModes: ['ReadWriteOnce'], storageClassName: '', selector: { matchLabels: { tier: 'db' } }, resources: { requests: { storage: '1Gi' } } });
    const labelled = available(pv('db', { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/db' } }, { tier: 'db' }));
    const taken = { ...labelled, metadata: { ...labelled.metadata, name: 'taken' }, spec: { ...labelled.spec, claimRef: { namespace: 'default', name: 'other' } } };
    const plain = available(pv('plain', { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/p' } }));
    assert.equal(findMatchingVolume(claim, [taken, plain, labelled], undefined, false)?.metadata.name, 'db');
  });
  it('with delayed binding waits for a node, then takes only volumes that node can reach', () => {
    const claim = pvc({ accessModes: ['ReadWriteOnce'], storageClassName: 'local', resources: { requests: { storage: '1Gi' } } });
    const vols = [pinned('on-a', 'a', '1Gi'), pinned('on-b', 'b', '1Gi')];
    assert.equal(findMatchingVolume(claim, vols, undefined, true), undefined);
    assert.equal(findMatchingVolume(claim, vols, node('b'), true)?.metadata.name, 'on-b');
    assert.equal(findMatchingVolume(claim, vols, node('c'), true), undefined);
  });
});

describe('kubectl columns', () => {
  const now = new Date('2026-01-01T00:10:00Z');
  it('prints volumes, claims and classes as upstream', () => {
    const v = goodPV();
    v.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    v.spec!.claimRef = { namespace: 'default', name: 'data' };
    v.spec!.storageClassName = 'manual';
    v.status = { phase: 'Bound' };
    assert.deepEqual(persistentVolumePrinter.columns.map((c) => c.name), ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode']);
    assert.deepEqual(persistentVolumePrinter.cells(v, now), ['pv1', '1Gi', 'RWO', 'Retain', 'Bound', 'default/data', 'manual', '<unset>', '', '10m', 'Filesystem']);
    const c = goodPVC();
    c.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    c.spec!.volumeName = 'pv1';
    c.spec!.storageClassName = 'manual';
    c.status = { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] };
    assert.deepEqual(persistentVolumeClaimPrinter.columns.map((x) => x.name), ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode']);
    assert.deepEqual(persistentVolumeClaimPrinter.cells(c, now), ['data', 'Bound', 'pv1', '1Gi', 'RWO,ROX', 'manual', '<unset>', '10m', 'Filesystem']);
    const sc: StorageClass = {
      metadata: { name: 'local-path', creationTimestamp: '2026-01-01T00:00:00Z', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer',
    };
    assert.deepEqual(storageClassPrinter.cells(sc, now), ['local-path (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '10m']);
  });
});
