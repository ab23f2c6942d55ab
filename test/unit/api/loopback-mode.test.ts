// kubesvc's loopback network mode: pods and Services live in 127.0.0.0/8, so a loopback
// endpoint address is ordinary there (`kubesvc up --network loopback` switches this on).
import { describe, it, after } from 'node:test';
import type { EndpointSlice } from '../../../src/api/discovery.js';
import { allowLoopbackAddresses } from '../../../src/api/validation/index.js';
import { assertErrors, strategyFor } from './helpers.js';

describe('loopback mode', () => {
  after(() => allowLoopbackAddresses(false));
  const slice = (ip: string): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-1', namespace: 'default' },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ip] }],
    ports: [{ name: '', port: 80, protocol: 'TCP' }],
  });
  it('rejects 127.x endpoints by default, as upstream does', () => {
    assertErrors(strategyFor('EndpointSlice').validateCreate(slice('127.244.0.5')), [{ field: 'endpoints[0].addresses[0]', type: 'FieldValueInvalid' }], 'default');
  });
  it('accepts them once loopback mode is on, but still rejects unspecified and link-local', () => {
    allowLoopbackAddresses(true);
    assertErrors(strategyFor('EndpointSlice').validateCreate(slice('127.244.0.5')), 0, 'loopback');
    assertErrors(strategyFor('EndpointSlice').validateCreate(slice('169.254.1.1')), [{ field: 'endpoints[0].addresses[0]', type: 'FieldValueInvalid' }], 'link-local');
  });
});
