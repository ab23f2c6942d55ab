// networking.k8s.io/v1 ServiceCIDR and IPAddress validation, in upstream's words.
import { describe, it } from 'node:test';
import type { IPAddress, ServiceCIDR } from '../../../src/api/validation/service-cidr.js';
import { assertErrors, strategyFor } from './helpers.js';

const ipAddress = (name: string, parentRef?: Record<string, string>): IPAddress => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress', metadata: { name }, ...(parentRef ? { spec: { parentRef } } : { spec: {} }),
});
const cidr = (...cidrs: string[]): ServiceCIDR => ({ apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name: 'extra' }, spec: { cidrs } });
/** As read from storage: an update names the version it changes. */
const stored = <T extends { metadata: { resourceVersion?: string } }>(o: T): T => ({ ...o, metadata: { ...o.metadata, resourceVersion: '7' } });
const svcRef = { group: '', resource: 'services', namespace: 'default', name: 'web' };

describe('IPAddress', () => {
  const rules = strategyFor('IPAddress');
  it('is named by an IP address and points at its parent', () => {
    assertErrors(rules.validateCreate(ipAddress('10.96.0.10', svcRef)), 0, 'valid');
    assertErrors(rules.validateCreate(ipAddress('web', svcRef)), [
      { field: 'metadata.name', type: 'FieldValueInvalid', message: 'metadata.name: Invalid value: "web": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)' },
    ], 'name');
    assertErrors(rules.validateCreate(ipAddress('10.96.0.10')), [{ field: 'spec.parentRef', type: 'FieldValueRequired', message: 'spec.parentRef: Required value' }], 'no parentRef');
    assertErrors(rules.validateCreate(ipAddress('10.96.0.10', { group: '', resource: '', name: '' })), [
      { field: 'spec.parentRef.resource', type: 'FieldValueRequired' },
      { field: 'spec.parentRef.name', type: 'FieldValueRequired' },
    ], 'empty parentRef');
    assertErrors(rules.validateCreate(ipAddress('10.96.0.10', { ...svcRef, name: 'a/b' })), [
      { field: 'spec.parentRef.name', type: 'FieldValueInvalid', message: 'spec.parentRef.name: Invalid value: "a/b": may not contain \'/\'' },
    ], 'slash');
  });
  it('parentRef never changes', () => {
    const old = stored(ipAddress('10.96.0.10', svcRef));
    const next = stored(ipAddress('10.96.0.10', { ...svcRef, name: 'other' }));
    assertErrors(rules.validateUpdate(next, old), [{ field: 'spec.parentRef', type: 'FieldValueInvalid' }], 'immutable');
  });
});

describe('ServiceCIDR', () => {
  const rules = strategyFor('ServiceCIDR');
  it('holds one CIDR per IP family, at most two', () => {
    assertErrors(rules.validateCreate(cidr('10.96.0.0/16')), 0, 'one');
    assertErrors(rules.validateCreate(cidr('10.96.0.0/16', 'fd00::/108')), 0, 'dual');
    assertErrors(rules.validateCreate(cidr()), [{ field: 'spec.cidrs', type: 'FieldValueRequired', message: 'spec.cidrs: Required value: at least one CIDR required' }], 'none');
    assertErrors(rules.validateCreate(cidr('10.96.0.0/16', '10.97.0.0/16')), [{ field: 'spec.cidrs', type: 'FieldValueInvalid' }], 'two v4');
    assertErrors(rules.validateCreate(cidr('a', 'b', 'c')), [{ field: 'spec.cidrs', type: 'FieldValueInvalid' }], 'three');
    assertErrors(rules.validateCreate(cidr('10.96.0.0/40')), [
      { field: 'spec.cidrs[0]', type: 'FieldValueInvalid', message: 'spec.cidrs[0]: Invalid value: "10.96.0.0/40": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)' },
    ], 'bad');
  });
  it('cidrs never change', () => {
    assertErrors(rules.validateUpdate(stored(cidr('10.97.0.0/16')), stored(cidr('10.96.0.0/16'))), [{ field: 'spec.cidrs', type: 'FieldValueInvalid' }], 'immutable');
  });
});
