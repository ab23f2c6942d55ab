// The label selector kube-proxy lists Services and EndpointSlices with, as upstream's
// cmd/kube-proxy/app/server.go builds it, judged by the selector parser the API server uses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { proxyLabelSelector } from '../../src/proxy/config.js';
import { parseLabelSelector } from '../../src/machinery/labels/index.js';

describe('kube-proxy informer label selector', () => {
  const sel = parseLabelSelector(proxyLabelSelector);
  it('is upstream\'s string: the two DoesNotExist requirements, sorted by key', () => {
    assert.equal(proxyLabelSelector, '!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name');
    // labels.Selector prints the requirements sorted by key: the string round-trips.
    assert.equal(sel.toString(), proxyLabelSelector);
  });
  it('passes ordinary Services and slices, refuses another proxy\'s (any value) and headless slices', () => {
    assert.equal(sel.matches({}), true);
    assert.equal(sel.matches({ app: 'web', 'kubernetes.io/service-name': 'web' }), true);
    assert.equal(sel.matches({ 'service.kubernetes.io/service-proxy-name': 'other' }), false);
    assert.equal(sel.matches({ 'service.kubernetes.io/service-proxy-name': '' }), false);
    assert.equal(sel.matches({ 'service.kubernetes.io/headless': '' }), false);
  });
});
