// Namespace, Node, Endpoints, EndpointSlice, Event and Lease: defaults and validation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Event, Namespace, Node } from '../../../src/api/core.js';
import type { EndpointSlice } from '../../../src/api/discovery.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { assertErrors, clone, strategyFor } from './helpers.js';

describe('Namespace', () => {
  const ns = (name: string): Namespace => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  it('defaults the kubernetes.io/metadata.name label and phase Active', () => {
    const n = ns('team-a');
    strategyFor('Namespace').defaults(n);
    assert.deepEqual(n.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
    assert.equal(n.status!.phase, 'Active');
    assertErrors(strategyFor('Namespace').validateCreate(n), 0, 'valid');
  });
  it('names are DNS-1123 labels', () => {
    assertErrors(strategyFor('Namespace').validateCreate(ns('team.a')), [{ field: 'metadata.name', type: 'FieldValueInvalid', message: 'metadata.name: Invalid value: "team.a": must not contain dots' }], 'dots');
    assertErrors(strategyFor('Namespace').validateCreate(ns('Team')), [{ field: 'metadata.name', type: 'FieldValueInvalid' }], 'upper');
  });
  it('spec finalizers must be known or qualified', () => {
    const n = ns('a');
    n.spec = { finalizers: ['kubernetes', 'bogus'] };
    assertErrors(strategyFor('Namespace').validateCreate(n), [{ field: 'spec.finalizers', type: 'FieldValueInvalid' }], 'fin');
  });
  it('create adds the kubernetes finalizer to the client\'s (PrepareForCreate), which are then validated', () => {
    const n = ns('b');
    n.spec = { finalizers: ['example.com/keep', 'bad finalizer!'] };
    const rules = strategyFor('Namespace');
    rules.prepareForCreate!(n);
    assert.deepEqual(n.spec.finalizers, ['example.com/keep', 'bad finalizer!', 'kubernetes']);
    rules.defaults(n);
    const errs = rules.validateCreate(n);
    assert.ok(errs.length > 0 && errs.every((e) => e.field === 'spec.finalizers' && e.badValue === 'bad finalizer!'), JSON.stringify(errs));
    const plain = ns('c');
    rules.prepareForCreate!(plain);
    assert.deepEqual(plain.spec!.finalizers, ['kubernetes']);
  });
  it('status phase follows deletionTimestamp', () => {
    const old = ns('a');
    old.metadata.resourceVersion = '1';
    const n = clone(old);
    n.status = { phase: 'Terminating' };
    assertErrors(strategyFor('Namespace').validateStatusUpdate(n, old), [
      { field: 'status.Phase', type: 'FieldValueInvalid', message: 'status.Phase: Invalid value: "Terminating": may only be \'Active\' if `deletionTimestamp` is empty' },
    ], 'phase');
  });
});

describe('Node', () => {
  const node = (): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', resourceVersion: '1' }, spec: {}, status: { capacity: { cpu: '4' } } });
  it('defaults allocatable to capacity', () => {
    const n = node();
    strategyFor('Node').defaults(n);
    assert.deepEqual(n.status!.allocatable, { cpu: '4' });
    assertErrors(strategyFor('Node').validateCreate(n), 0, 'valid');
  });
  it('is cluster-scoped', () => {
    const n = node();
    n.metadata.namespace = 'default';
    assertErrors(strategyFor('Node').validateCreate(n), [{ field: 'metadata.namespace', type: 'FieldValueForbidden' }], 'ns');
  });
  it('podCIDRs must be CIDRs, one per family', () => {
    const n = node();
    n.spec!.podCIDRs = ['10.244.1.0/24', '10.244.2.0/24'];
    assertErrors(strategyFor('Node').validateCreate(n), [{ field: 'spec.podCIDRs', type: 'FieldValueInvalid', message: 'spec.podCIDRs: Invalid value: ["10.244.1.0/24","10.244.2.0/24"]: may specify no more than one CIDR for each IP family' }], 'two v4');
    n.spec!.podCIDRs = ['10.244.1.0'];
    assertErrors(strategyFor('Node').validateCreate(n), [{ field: 'spec.podCIDRs[0]', type: 'FieldValueInvalid' }], 'not a cidr');
  });
  it('a lone podCIDR becomes podCIDRs[0] (the v1 conversion) and is validated there', () => {
    const n = node();
    n.spec!.podCIDR = 'garbage';
    strategyFor('Node').defaults(n);
    assert.deepEqual(n.spec!.podCIDRs, ['garbage']);
    assertErrors(strategyFor('Node').validateCreate(n), [
      { field: 'spec.podCIDRs[0]', type: 'FieldValueInvalid', message: 'spec.podCIDRs[0]: Invalid value: "garbage": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)' },
    ], 'podCIDR');
    const m = node();
    m.spec!.podCIDRs = ['10.244.3.0/24'];
    strategyFor('Node').defaults(m);
    assert.equal(m.spec!.podCIDR, '10.244.3.0/24', 'podCIDR mirrors podCIDRs[0]');
  });
  it('podCIDRs may be assigned once, then never changed', () => {
    const old = node();
    const assigned = clone(old);
    assigned.spec!.podCIDRs = ['10.244.1.0/24'];
    assertErrors(strategyFor('Node').validateUpdate(assigned, old), 0, 'assign');
    const moved = clone(assigned);
    moved.spec!.podCIDRs = ['10.244.2.0/24'];
    assertErrors(strategyFor('Node').validateStatusUpdate(moved, assigned), [
      { field: 'spec.podCIDRs', type: 'FieldValueForbidden', message: 'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid' },
    ], 'move');
  });
  it('rejects duplicate addresses and invalid taints', () => {
    const old = node();
    const n = clone(old);
    n.status!.addresses = [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'InternalIP', address: '10.0.0.1' }];
    n.spec!.taints = [{ key: 'dedicated', value: 'gpu', effect: 'Sometimes' }];
    assertErrors(strategyFor('Node').validateUpdate(n, old), [
      { field: 'status.addresses[1]', type: 'FieldValueDuplicate' },
      { field: 'metadata.taints[0].effect', type: 'FieldValueNotSupported' },
    ], 'dups');
  });
});

describe('Endpoints', () => {
  const ep = (): Endpoints => ({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'default', resourceVersion: '1' },
    subsets: [{ addresses: [{ ip: '10.244.0.5' }], ports: [{ port: 8080 }] }],
  });
  it('defaults port protocol to TCP and validates', () => {
    const e = ep();
    strategyFor('Endpoints').defaults(e);
    assert.equal(e.subsets![0]!.ports![0]!.protocol, 'TCP');
    assertErrors(strategyFor('Endpoints').validateCreate(e), 0, 'valid');
  });
  it('rejects bad and special addresses', () => {
    const e = ep();
    strategyFor('Endpoints').defaults(e);
    e.subsets![0]!.addresses = [{ ip: 'bogus' }, { ip: '127.0.0.1' }];
    assertErrors(strategyFor('Endpoints').validateCreate(e), [
      { field: 'subsets[0].addresses[0].ip', type: 'FieldValueInvalid' },
      { field: 'subsets[0].addresses[0].ip', type: 'FieldValueInvalid', message: 'subsets[0].addresses[0].ip: Invalid value: "bogus": must be a valid IP address' },
      { field: 'subsets[0].addresses[1].ip', type: 'FieldValueInvalid', message: 'subsets[0].addresses[1].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)' },
    ], 'addrs');
  });
  it('requires an address and named ports when there are several', () => {
    const e = ep();
    e.subsets = [{ ports: [{ port: 80, protocol: 'TCP' }, { name: 'b', port: 0, protocol: 'TCP' }] }];
    assertErrors(strategyFor('Endpoints').validateCreate(e), [
      { field: 'subsets[0]', type: 'FieldValueRequired', message: 'subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`' },
      { field: 'subsets[0].ports[0].name', type: 'FieldValueRequired' },
      { field: 'subsets[0].ports[1].port', type: 'FieldValueInvalid' },
    ], 'ports');
  });
});

describe('EndpointSlice', () => {
  const slice = (): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc12', namespace: 'default', resourceVersion: '1' },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.0.5'], conditions: { ready: true } }],
    ports: [{ port: 8080 }],
  });
  it('defaults port name "" and protocol TCP, and validates', () => {
    const s = slice();
    strategyFor('EndpointSlice').defaults(s);
    assert.deepEqual(s.ports, [{ port: 8080, name: '', protocol: 'TCP' }]);
    assertErrors(strategyFor('EndpointSlice').validateCreate(s), 0, 'valid');
  });
  it('addressType is required and must be supported', () => {
    const s = slice();
    strategyFor('EndpointSlice').defaults(s);
    s.addressType = 'IP' as 'IPv4';
    assertErrors(strategyFor('EndpointSlice').validateCreate(s), [
      { field: 'addressType', type: 'FieldValueNotSupported', message: 'addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"' },
    ], 'type');
  });
  it('addresses must match the addressType', () => {
    const s = slice();
    strategyFor('EndpointSlice').defaults(s);
    s.endpoints = [{ addresses: ['2001:db8::1'] }, { addresses: [] }];
    assertErrors(strategyFor('EndpointSlice').validateCreate(s), [
      { field: 'endpoints[0].addresses[0]', type: 'FieldValueInvalid', message: 'endpoints[0].addresses[0]: Invalid value: "2001:db8::1": must be a valid IPv4 address' },
      { field: 'endpoints[1].addresses', type: 'FieldValueRequired', message: 'endpoints[1].addresses: Required value: must contain at least 1 address' },
    ], 'family');
  });
  it('allows at most 1000 endpoints', () => {
    const s = slice();
    strategyFor('EndpointSlice').defaults(s);
    s.endpoints = Array.from({ length: 1001 }, (_, i) => ({ addresses: [`10.1.${i >> 8}.${i & 255}`] }));
    assertErrors(strategyFor('EndpointSlice').validateCreate(s), [{ field: 'endpoints', type: 'FieldValueTooMany', message: 'endpoints: Too many: 1001: must have at most 1000 items' }], 'many');
  });
  it('FQDN slices take domain names', () => {
    const s = slice();
    strategyFor('EndpointSlice').defaults(s);
    s.addressType = 'FQDN';
    s.endpoints = [{ addresses: ['db.example.com'] }, { addresses: ['localhost'] }];
    assertErrors(strategyFor('EndpointSlice').validateCreate(s), [{ field: 'endpoints[1].addresses[0]', type: 'FieldValueInvalid' }], 'fqdn');
  });
  it('port names must be unique and protocols set', () => {
    const s = slice();
    s.ports = [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'http', port: 81 }];
    assertErrors(strategyFor('EndpointSlice').validateCreate(s), [
      { field: 'ports[1].name', type: 'FieldValueDuplicate' },
      { field: 'ports[1].protocol', type: 'FieldValueRequired' },
    ], 'ports');
  });
  it('addressType is immutable', () => {
    const old = slice();
    strategyFor('EndpointSlice').defaults(old);
    const s = clone(old);
    s.addressType = 'IPv6';
    s.endpoints = [{ addresses: ['2001:db8::1'] }];
    assertErrors(strategyFor('EndpointSlice').validateUpdate(s, old), [{ field: 'addressType', type: 'FieldValueInvalid', message: 'addressType: Invalid value: "IPv6": field is immutable' }], 'imm');
  });
});

describe('Event', () => {
  const ev = (): Event => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web.1', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
    reason: 'Started',
    message: 'Started container',
  });
  it('accepts an event in its object namespace', () => assertErrors(strategyFor('Event').validateCreate(ev()), 0, 'valid'));
  it('involvedObject.namespace must match', () => {
    const e = ev();
    e.involvedObject.namespace = 'other';
    assertErrors(strategyFor('Event').validateCreate(e), [
      { field: 'involvedObject.namespace', type: 'FieldValueInvalid', message: 'involvedObject.namespace: Invalid value: "other": does not match event.namespace' },
    ], 'ns');
  });
  it('cluster-scoped objects may have events in default', () => {
    const e = ev();
    e.involvedObject = { kind: 'Node', name: 'node-1' };
    assertErrors(strategyFor('Event').validateCreate(e), 0, 'node');
  });
  it('eventTime events need reporting fields', () => {
    const e = ev();
    e.eventTime = '2026-11-27T13:00:00.000000Z';
    assertErrors(strategyFor('Event').validateCreate(e), [
      { field: 'reportingController', type: 'FieldValueRequired' },
      // An empty qualified name fails twice over, as upstream reports it.
      { field: 'reportingController', type: 'FieldValueInvalid', message: 'reportingController: Invalid value: "": name part must be non-empty' },
      { field: 'reportingController', type: 'FieldValueInvalid' },
      { field: 'reportingInstance', type: 'FieldValueRequired' },
      { field: 'action', type: 'FieldValueRequired' },
    ], 'new');
  });
});

describe('Lease', () => {
  const lease = (): KubeObject => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'node-1', namespace: 'kube-node-lease', resourceVersion: '1' },
    spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 },
  });
  it('accepts a node lease', () => assertErrors(strategyFor('Lease').validateCreate(lease()), 0, 'valid'));
  it('leaseDurationSeconds must be positive and transitions non-negative', () => {
    const l = lease();
    l.spec = { leaseDurationSeconds: 0, leaseTransitions: -1 };
    assertErrors(strategyFor('Lease').validateCreate(l), [
      { field: 'spec.leaseDurationSeconds', type: 'FieldValueInvalid', message: 'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0' },
      { field: 'spec.leaseTransitions', type: 'FieldValueInvalid', message: 'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0' },
    ], 'spec');
  });
  it('name is immutable on update', () => {
    const old = lease();
    const l = clone(old);
    l.metadata.name = 'node-2';
    assertErrors(strategyFor('Lease').validateUpdate(l, old), [{ field: 'metadata.name', type: 'FieldValueInvalid' }], 'name');
  });
});
