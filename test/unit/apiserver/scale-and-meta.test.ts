// A Scale PUT body of another kind, and ObjectMeta's omitempty lists and maps.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkScaleBodyKind } from '../../../src/apiserver/http/scale.js';
import { omitEmptyMeta } from '../../../src/apiserver/store/omit-empty.js';
import { statusError as statusOf } from '../allocators/helpers.js';

describe('Scale PUT body kind (decoder, then scheme conversion into autoscaling.Scale)', () => {
  it('accepts autoscaling/v1 Scale, and a body without apiVersion or kind', () => {
    checkScaleBodyKind({ apiVersion: 'autoscaling/v1', kind: 'Scale' });
    checkScaleBodyKind({ spec: { replicas: 1 } });
  });
  it('a registered kind fails conversion with 400 in transformDecodeError\'s words', async () => {
    const e = await statusOf(() => checkScaleBodyKind({ apiVersion: 'apps/v1', kind: 'Deployment' }));
    assert.equal(e.code, 400);
    assert.equal(e.message, 'Deployment in version "v1" cannot be handled as a Scale: converting (v1.Deployment) to (autoscaling.Scale): unknown conversion');
  });
  it('an unregistered kind is the decoder\'s "no kind is registered"', async () => {
    const e = await statusOf(() => checkScaleBodyKind({ apiVersion: 'bogus/v9', kind: 'Thing' }));
    assert.equal(e.code, 400);
    assert.equal(e.message, 'Thing in version "v9" cannot be handled as a Scale: no kind "Thing" is registered for version "bogus/v9" in scheme "pkg/api/legacyscheme/scheme.go:30"');
  });
});

describe('ObjectMeta omitempty', () => {
  it('drops empty and null labels, annotations, finalizers, ownerReferences; keeps the rest, and managedFields: [] for the field manager', () => {
    const m: Record<string, unknown> = { name: 'a', labels: {}, annotations: null, finalizers: [], ownerReferences: [], managedFields: [], uid: 'u' };
    omitEmptyMeta(m);
    assert.deepEqual(m, { name: 'a', managedFields: [], uid: 'u' });
    const kept: Record<string, unknown> = { labels: { a: '' }, finalizers: ['x'] };
    omitEmptyMeta(kept);
    assert.deepEqual(kept, { labels: { a: '' }, finalizers: ['x'] });
  });
});
