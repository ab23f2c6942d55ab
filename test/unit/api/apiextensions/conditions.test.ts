// The CRD status the naming and establishing controllers set: acceptedNames, NamesAccepted,
// Established, storedVersions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeCRDStatus } from '../../../../src/api/apiextensions/index.js';
import { widgetCRD } from './fixtures.js';

const now = '2026-12-06T00:00:00Z';

describe('CRD status conditions', () => {
  it('accepts free names and becomes Established', () => {
    const crd = widgetCRD();
    crd.spec!.names!.shortNames = ['wd'];
    const status = computeCRDStatus(crd, [], now);
    assert.deepEqual(status.acceptedNames, crd.spec!.names);
    assert.deepEqual(status.conditions, [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: now },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: now },
    ]);
    assert.deepEqual(status.storedVersions, ['v1']);
  });

  it('refuses names another CRD of the group holds, naming the conflict', () => {
    const other = widgetCRD();
    other.metadata!.name = 'gadgets.example.com';
    other.status = { acceptedNames: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList', shortNames: ['wd'] } };
    const crd = widgetCRD();
    crd.spec!.names!.shortNames = ['wd'];
    const status = computeCRDStatus(crd, [other], now);
    // Names are accepted one by one: all but the conflicting short name.
    assert.deepEqual(status.acceptedNames, { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' });
    assert.deepEqual(status.conditions, [
      { type: 'NamesAccepted', status: 'False', reason: 'ShortNamesConflict', message: '"wd" is already in use', lastTransitionTime: now },
      { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted', lastTransitionTime: now },
    ]);
    // The same names in another group do not conflict.
    other.spec!.group = 'other.example.com';
    assert.equal(computeCRDStatus(crd, [other], now).conditions![0]!.status, 'True');
  });

  it('keeps Established and its transition time once set', () => {
    const crd = widgetCRD();
    crd.status = computeCRDStatus(crd, [], '2026-01-01T00:00:00Z');
    const again = computeCRDStatus(crd, [], now);
    assert.equal(again.conditions!.find((c) => c.type === 'Established')!.lastTransitionTime, '2026-01-01T00:00:00Z');
  });
});
