// Ingress request matching, table-driven from the Ingress specification's examples table
// (kubernetes.io, "Ingress: Examples") plus host rules as the ingress-controller-conformance
// features state them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Ingress } from '../../../src/api/networking.js';
import { buildRouteTable, hostname, route } from '../../../src/ingress/routing/match.js';
import { backendAddresses, RoundRobin } from '../../../src/ingress/routing/backends.js';
import type { EndpointSlice } from '../../../src/api/discovery.js';

type P = [path: string, type: 'Exact' | 'Prefix' | 'ImplementationSpecific', service: string];
function ing(name: string, rules: { host?: string; paths: P[] }[], extra: Record<string, unknown> = {}, created = '2026-01-01T00:00:00Z'): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
    metadata: { name, namespace: 'default', creationTimestamp: created },
    spec: {
      ...extra,
      rules: rules.map((r) => ({
        ...(r.host ? { host: r.host } : {}),
        http: { paths: r.paths.map(([path, pathType, s]) => ({ path, pathType, backend: { service: { name: s, port: { number: 80 } } } })) },
      })),
    },
  };
}
const served = (ings: Ingress[], host: string, path: string) => route(buildRouteTable(ings), host, path)?.service.name;

describe('Ingress path matching (the specification examples)', () => {
  const cases: [P[], string, string | undefined][] = [
    [[['/', 'Prefix', 'root']], '/anything/at/all', 'root'],
    [[['/foo', 'Exact', 'foo']], '/foo', 'foo'],
    [[['/foo', 'Exact', 'foo']], '/bar', undefined],
    [[['/foo', 'Exact', 'foo']], '/foo/', undefined],
    [[['/foo/', 'Exact', 'foo']], '/foo', undefined],
    [[['/foo', 'Prefix', 'foo']], '/foo', 'foo'],
    [[['/foo', 'Prefix', 'foo']], '/foo/', 'foo'],
    [[['/foo/', 'Prefix', 'foo']], '/foo', 'foo'],
    [[['/foo/', 'Prefix', 'foo']], '/foo/', 'foo'],
    [[['/aaa/bb', 'Prefix', 'x']], '/aaa/bbb', undefined],
    [[['/aaa/bbb', 'Prefix', 'x']], '/aaa/bbb', 'x'],
    [[['/aaa/bbb/', 'Prefix', 'x']], '/aaa/bbb', 'x'],
    [[['/aaa/bbb', 'Prefix', 'x']], '/aaa/bbb/', 'x'],
    [[['/aaa/bbb', 'Prefix', 'x']], '/aaa/bbb/ccc', 'x'],
    [[['/aaa/bbb', 'Prefix', 'x']], '/aaa/bbbxyz', undefined],
    [[['/', 'Prefix', 'root'], ['/aaa', 'Prefix', 'aaa']], '/aaa/ccc', 'aaa'],
    [[['/', 'Prefix', 'root'], ['/aaa', 'Prefix', 'aaa'], ['/aaa/bbb', 'Prefix', 'bbb']], '/aaa/bbb', 'bbb'],
    [[['/', 'Prefix', 'root'], ['/aaa', 'Prefix', 'aaa'], ['/aaa/bbb', 'Prefix', 'bbb']], '/ccc', 'root'],
    [[['/aaa', 'Prefix', 'aaa']], '/ccc', undefined],
    [[['/foo', 'Prefix', 'prefix'], ['/foo', 'Exact', 'exact']], '/foo', 'exact'],
    [[['/foo', 'Exact', 'exact'], ['/foo', 'Prefix', 'prefix']], '/foo/bar', 'prefix'],
    [[['/foo', 'ImplementationSpecific', 'impl']], '/foo/bar', 'impl'],
    [[['/foo', 'ImplementationSpecific', 'impl']], '/foobar', undefined],
  ];
  for (const [paths, request, want] of cases) {
    it(`${paths.map(([p, t]) => `${t} ${p}`).join(', ')} — ${request} → ${want ?? 'no match'}`, () => {
      assert.equal(served([ing('i', [{ paths }])], 'example.com', request), want);
    });
  }
});

describe('Ingress host matching', () => {
  const ings = [
    ing('hosts', [
      { host: 'foo.bar.com', paths: [['/', 'Prefix', 'exact-host']] },
      { host: '*.bar.com', paths: [['/', 'Prefix', 'wildcard']] },
      { paths: [['/', 'Prefix', 'any-host']] },
    ]),
  ];
  const cases: [string, string][] = [
    ['foo.bar.com', 'exact-host'],
    ['FOO.bar.com:8080', 'exact-host'],
    ['baz.bar.com', 'wildcard'],
    ['baz.foo.bar.com', 'any-host'], // a wildcard covers exactly one label
    ['bar.com', 'any-host'],
    ['127.240.0.1', 'any-host'],
  ];
  for (const [host, want] of cases) it(`${host} → ${want}`, () => assert.equal(served(ings, host, '/'), want));

  it('a host with no matching path falls to the defaultBackend of the oldest Ingress, else nothing', () => {
    const a = ing('a', [{ host: 'a.com', paths: [['/app', 'Prefix', 'app']] }], { defaultBackend: { service: { name: 'fallback', port: { number: 80 } } } }, '2026-01-02T00:00:00Z');
    const b = ing('b', [{ host: 'b.com', paths: [['/', 'Prefix', 'b']] }], { defaultBackend: { service: { name: 'older', port: { number: 80 } } } }, '2026-01-01T00:00:00Z');
    assert.equal(served([a, b], 'a.com', '/other'), 'older');
    assert.equal(served([a], 'a.com', '/other'), 'fallback');
    assert.equal(served([ing('c', [{ host: 'a.com', paths: [['/app', 'Prefix', 'app']] }])], 'a.com', '/other'), undefined);
  });

  it('reads Host headers as hosts', () => {
    assert.equal(hostname('Example.COM:443'), 'example.com');
    assert.equal(hostname('[::1]:8080'), '[::1]');
    assert.equal(hostname('example.com.'), 'example.com');
  });
});

describe('Ingress backends from EndpointSlices', () => {
  const slice = (endpoints: [string, boolean, boolean, boolean][]): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's' }, addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: endpoints.map(([ip, ready, serving, terminating]) => ({ addresses: [ip], conditions: { ready, serving, terminating } })),
  });
  it('sends to ready endpoints only, and to serving terminating ones only when nothing is ready', () => {
    const s = slice([['10.0.0.1', true, true, false], ['10.0.0.2', false, true, true], ['10.0.0.3', false, false, false]]);
    assert.deepEqual(backendAddresses([s], 'http'), [{ ip: '10.0.0.1', port: 8080 }]);
    assert.deepEqual(backendAddresses([slice([['10.0.0.2', false, true, true]])], 'http'), [{ ip: '10.0.0.2', port: 8080 }]);
    assert.deepEqual(backendAddresses([s], 'other'), []);
  });
  it('round robin, skipping endpoints a retry excludes', () => {
    const rr = new RoundRobin([{ ip: 'a', port: 1 }, { ip: 'b', port: 1 }, { ip: 'c', port: 1 }]);
    assert.deepEqual([rr.pick(), rr.pick(), rr.pick(), rr.pick()].map((x) => x?.ip), ['a', 'b', 'c', 'a']);
    assert.equal(rr.pick(new Set(['b:1']))?.ip, 'c');
    assert.equal(rr.pick(new Set(['a:1', 'b:1', 'c:1'])), undefined);
  });
});
