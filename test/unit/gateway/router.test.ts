// The Gateway API data-plane rules: which rule a request gets (hostnames, match precedence across
// routes), and what the rule does (redirects, rewrites, header changes, weights, invalid backends),
// as the conformance suite's HTTPRouteMatching, HTTPRouteMatchingAcrossRoutes, HTTPExactPathMatching,
// HTTPRouteHeaderMatching, HTTPRouteQueryParamMatching, HTTPRouteMethodMatching,
// HTTPRouteListenerHostnameMatching, HTTPRouteRedirect*, HTTPRouteRewrite*, HTTPRouteWeight and
// HTTPRouteInvalid* scenarios send them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { planGateways } from '../../../src/gateway/model.js';
import { GatewayRouter, rewritePath } from '../../../src/gateway/router.js';
import { RoundRobin } from '../../../src/ingress/routing/backends.js';
import type { Decision, Forward } from '../../../src/ingress/routing/proxy.js';
import type { HTTPRoute, Listener } from '../../../src/api/gateway.js';
import { backendProblem } from '../../../src/gateway/model.js';
import { gateway, http, route, world } from './fixtures.js';

const infra = 'gateway-conformance-infra';
const services = ['v1', 'v2', 'v3'].map((v) => `${infra}/infra-backend-${v}`);

function router(listeners: Listener[], routes: HTTPRoute[]): GatewayRouter {
  const w = world({ gateways: [gateway('g', listeners)], routes, services });
  const plan = planGateways(w);
  return new GatewayRouter(plan.listeners, {
    // Each Service has one endpoint whose "ip" names it, so a test can tell where a request went.
    endpoints: (ns, name) => (w.serviceExists(ns, name) ? new RoundRobin([{ ip: name, port: 8080 }]) : undefined),
    backendProblem: (ref, ns) => backendProblem(ref, ns, w),
  });
}

function req(host: string, url: string, method = 'GET', headers: Record<string, string> = {}): IncomingMessage {
  return { headers: { host, ...headers }, url, method } as unknown as IncomingMessage;
}

/** Where a request goes: the backend's name, `<status> <location>` for an answer, or `-` for no listener/rule. */
function where(d: Decision | undefined): string {
  if (!d) return '-';
  if (d.kind === 'respond') return `${d.status}${d.headers?.location ? ` ${d.headers.location}` : ''}`;
  return d.endpoints?.list()[0]?.ip ?? 'none';
}

const to = (v: string, extra: Record<string, unknown> = {}) => ({ name: `infra-backend-${v}`, port: 8080, ...extra });
const parent = { parentRefs: [{ name: 'g' }] };

describe('matching', () => {
  it('HTTPRouteMatching / HTTPExactPathMatching: Exact before Prefix, the longest prefix wins, prefixes match whole path elements', () => {
    const r = router([http()], [
      route('m', {
        ...parent,
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [to('v1')] },
          { matches: [{ path: { type: 'PathPrefix', value: '/v2' } }], backendRefs: [to('v2')] },
          { matches: [{ path: { type: 'Exact', value: '/v2/exact' } }], backendRefs: [to('v3')] },
        ],
      }),
    ]);
    const cases: [string, string][] = [['/', 'infra-backend-v1'], ['/v2', 'infra-backend-v2'], ['/v2/', 'infra-backend-v2'], ['/v2/x', 'infra-backend-v2'], ['/v2example', 'infra-backend-v1'], ['/v2/exact', 'infra-backend-v3'], ['/v2/exact/', 'infra-backend-v2'], ['/v2?q=1', 'infra-backend-v2']];
    for (const [path, want] of cases) assert.equal(where(r.route(req('any', path), 'http')), want, path);
  });

  it('HTTPRouteHeaderMatching / QueryParamMatching / MethodMatching: every condition of a match must hold; more conditions win', () => {
    const r = router([http()], [
      route('m', {
        ...parent,
        rules: [
          { matches: [{ headers: [{ name: 'Version', value: 'one' }] }], backendRefs: [to('v1')] },
          { matches: [{ headers: [{ name: 'version', value: 'two' }, { name: 'color', value: 'orange' }] }], backendRefs: [to('v2')] },
          { matches: [{ queryParams: [{ name: 'animal', value: 'whale' }] }, { method: 'POST' }], backendRefs: [to('v3')] },
          { matches: [{ headers: [{ name: 'color', type: 'RegularExpression', value: 'bl.e' }] }], backendRefs: [to('v1')] },
        ],
      }),
    ]);
    assert.equal(where(r.route(req('a', '/', 'GET', { version: 'one' }), 'http')), 'infra-backend-v1');
    assert.equal(where(r.route(req('a', '/', 'GET', { version: 'two', color: 'orange' }), 'http')), 'infra-backend-v2');
    assert.equal(where(r.route(req('a', '/', 'GET', { version: 'two' }), 'http')), '-', 'one of two headers is no match');
    assert.equal(where(r.route(req('a', '/?animal=whale'), 'http')), 'infra-backend-v3');
    assert.equal(where(r.route(req('a', '/?animal=Whale'), 'http')), '-', 'query values are case-sensitive');
    assert.equal(where(r.route(req('a', '/', 'POST'), 'http')), 'infra-backend-v3');
    assert.equal(where(r.route(req('a', '/', 'GET', { color: 'blue' }), 'http')), 'infra-backend-v1');
    assert.equal(where(r.route(req('a', '/', 'GET', { color: 'xblue' }), 'http')), '-', 'regular expressions match the whole value');
  });

  it('HTTPRouteMatchingAcrossRoutes: precedence across routes, then the oldest route, then name order, then rule order', () => {
    const r = router([http()], [
      route('b-newer', { ...parent, rules: [{ matches: [{ path: { value: '/shared' } }], backendRefs: [to('v2')] }, { matches: [{ path: { value: '/more/specific' } }], backendRefs: [to('v2')] }] }, { created: '2026-02-01T00:00:00Z' }),
      route('a-older', { ...parent, rules: [{ matches: [{ path: { value: '/shared' } }], backendRefs: [to('v1')] }, { matches: [{ path: { value: '/more' } }], backendRefs: [to('v1')] }] }, { created: '2026-01-01T00:00:00Z' }),
      route('c-same-age', { ...parent, rules: [{ matches: [{ path: { value: '/tie' } }], backendRefs: [to('v3')] }] }, { created: '2026-01-01T00:00:00Z' }),
      route('a-same-age', { ...parent, rules: [{ matches: [{ path: { value: '/tie' } }], backendRefs: [to('v1')] }, { matches: [{ path: { value: '/tie' } }], backendRefs: [to('v2')] }] }, { created: '2026-01-01T00:00:00Z' }),
    ]);
    assert.equal(where(r.route(req('a', '/shared'), 'http')), 'infra-backend-v1', 'the older route wins a tie');
    assert.equal(where(r.route(req('a', '/more/specific/x'), 'http')), 'infra-backend-v2', 'a longer prefix beats age');
    assert.equal(where(r.route(req('a', '/tie'), 'http')), 'infra-backend-v1', 'same age: namespace/name order, then the first rule');
  });

  it('HTTPRouteListenerHostnameMatching: the most specific listener hostname takes the request', () => {
    const r = router(
      [http('listener-1', { hostname: 'bar.com' }), http('listener-2', { hostname: 'foo.bar.com' }), http('listener-3', { hostname: '*.bar.com' }), http('listener-4', { hostname: '*.foo.com' })],
      [
        route('r1', { parentRefs: [{ name: 'g', sectionName: 'listener-1' }], rules: [{ backendRefs: [to('v1')] }] }),
        route('r2', { parentRefs: [{ name: 'g', sectionName: 'listener-2' }], rules: [{ backendRefs: [to('v2')] }] }),
        route('r3', { parentRefs: [{ name: 'g', sectionName: 'listener-3' }, { name: 'g', sectionName: 'listener-4' }], rules: [{ backendRefs: [to('v3')] }] }),
      ],
    );
    const cases: [string, string][] = [['bar.com', 'infra-backend-v1'], ['foo.bar.com', 'infra-backend-v2'], ['baz.bar.com', 'infra-backend-v3'], ['boo.bar.com', 'infra-backend-v3'], ['multiple.prefixes.bar.com', 'infra-backend-v3'], ['multiple.prefixes.foo.com', 'infra-backend-v3'], ['foo.com', '-'], ['no.matching.host', '-']];
    for (const [host, want] of cases) assert.equal(where(r.route(req(`${host}:80`, '/'), 'http')), want, host);
  });

  it('route hostnames: an exact hostname takes precedence over a wildcard, which takes precedence over none', () => {
    const r = router([http()], [
      route('exact', { ...parent, hostnames: ['a.example.com'], rules: [{ backendRefs: [to('v1')] }] }),
      route('wild', { ...parent, hostnames: ['*.example.com'], rules: [{ backendRefs: [to('v2')] }] }),
      route('any', { ...parent, rules: [{ backendRefs: [to('v3')] }] }),
    ]);
    assert.equal(where(r.route(req('a.example.com', '/'), 'http')), 'infra-backend-v1');
    assert.equal(where(r.route(req('b.c.example.com', '/'), 'http')), 'infra-backend-v2');
    assert.equal(where(r.route(req('example.com', '/'), 'http')), 'infra-backend-v3');
  });

  it('an HTTP listener does not serve HTTPS requests', () => {
    const r = router([http()], [route('r', { ...parent, rules: [{ backendRefs: [to('v1')] }] })]);
    assert.equal(where(r.route(req('a', '/'), 'https')), '-');
  });
});

describe('filters and backends', () => {
  it('HTTPRouteRedirect*: scheme, hostname, port, path and status code, the query kept', () => {
    const redirect = (value: string, f: Record<string, unknown>) => ({ matches: [{ path: { type: 'PathPrefix' as const, value } }], filters: [{ type: 'RequestRedirect', requestRedirect: f }] });
    const r = router([http()], [
      route('r', {
        ...parent,
        rules: [
          redirect('/hostname', { hostname: 'example.org' }),
          redirect('/scheme', { scheme: 'https' }),
          redirect('/scheme-port', { scheme: 'https', port: 8443 }),
          redirect('/port', { port: 8083 }),
          redirect('/status', { statusCode: 301 }),
          redirect('/full', { path: { type: 'ReplaceFullPath', replaceFullPath: '/full-path-replacement' } }),
          redirect('/prefix', { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/replacement-prefix' } }),
        ],
      }),
    ]);
    const cases: [string, string][] = [
      ['/hostname', '302 http://example.org/hostname'],
      ['/scheme?x=1', '302 https://gw.example/scheme?x=1'],
      ['/scheme-port', '302 https://gw.example:8443/scheme-port'],
      ['/port', '302 http://gw.example:8083/port'],
      ['/status', '301 http://gw.example/status'],
      ['/full/one/two', '302 http://gw.example/full-path-replacement'],
      ['/prefix/one/two', '302 http://gw.example/replacement-prefix/one/two'],
    ];
    for (const [path, want] of cases) assert.equal(where(r.route(req('gw.example:80', path), 'http')), want, path);
  });

  it('HTTPRouteRewritePath / RewriteHost: the backend gets the rewritten path and Host', () => {
    const r = router([http()], [
      route('r', {
        ...parent,
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/prefix/one' } }], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/one' } } }], backendRefs: [to('v1')] },
          { matches: [{ path: { type: 'PathPrefix', value: '/strip-prefix' } }], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }], backendRefs: [to('v1')] },
          { matches: [{ path: { type: 'PathPrefix', value: '/full/one' } }], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/one' } } }], backendRefs: [to('v1')] },
          { matches: [{ path: { type: 'PathPrefix', value: '/host' } }], filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'one.example.org' } }], backendRefs: [to('v1')] },
        ],
      }),
    ]);
    const sent = (path: string) => r.route(req('a', path), 'http') as Forward;
    assert.equal(sent('/prefix/one/two?x=y').url, '/one/two?x=y');
    assert.equal(sent('/prefix/one').url, '/one');
    assert.equal(sent('/strip-prefix/three').url, '/three');
    assert.equal(sent('/strip-prefix').url, '/');
    assert.equal(sent('/full/one/two').url, '/one');
    assert.equal(sent('/host').host, 'one.example.org');
    assert.equal(sent('/host').url, undefined);
  });

  it('rewritePath follows the spec\'s ReplacePrefixMatch table, trailing slashes included', () => {
    const rw = (prefix: string, replacement: string, path: string) =>
      rewritePath({ type: 'ReplacePrefixMatch', replacePrefixMatch: replacement }, { pathType: 'PathPrefix', elements: prefix.split('/').filter(Boolean) }, path);
    const table: [string, string, string, string][] = [
      ['/foo', '/xyz', '/foo/bar', '/xyz/bar'],
      ['/foo', '/xyz/', '/foo/bar', '/xyz/bar'],
      ['/foo/', '/xyz', '/foo/bar', '/xyz/bar'],
      ['/foo/', '/xyz/', '/foo/bar', '/xyz/bar'],
      ['/foo', '/xyz', '/foo', '/xyz'],
      ['/foo', '/xyz', '/foo/', '/xyz/'],
      ['/foo', '/', '/foo/bar', '/bar'],
      ['/foo', '/', '/foo', '/'],
      ['/foo', '/', '/foo/', '/'],
      ['/', '/xyz', '/', '/xyz'],
      ['/', '/xyz', '/foo', '/xyz/foo'],
      ['/old', '/new/', '/old/x/', '/new/x/'],
    ];
    for (const [prefix, replacement, path, want] of table) assert.equal(rw(prefix, replacement, path), want, `${prefix} → ${replacement}: ${path}`);
  });

  it('a header match named after an Object property matches only a real header, and never throws', () => {
    const r = router([http()], [route('r', { ...parent, rules: [{ matches: [{ headers: [{ name: 'constructor', type: 'RegularExpression', value: 'x.*' }, { name: '__proto__', value: 'y' }] }], backendRefs: [to('v1')] }] })]);
    assert.equal(where(r.route(req('a', '/'), 'http')), '-');
    assert.equal(where(r.route(req('a', '/', 'GET', { constructor: 'xyz', __proto__: 'y' } as Record<string, string>), 'http')), '-', 'a __proto__ key in a literal is no header');
    const own = { host: 'a' } as Record<string, string>;
    Object.defineProperty(own, 'constructor', { value: 'xyz', enumerable: true });
    Object.defineProperty(own, '__proto__', { value: 'y', enumerable: true });
    assert.equal(where(r.route({ headers: own, url: '/', method: 'GET' } as unknown as IncomingMessage, 'http')), 'infra-backend-v1');
  });

  it('HTTPRouteRequestHeaderModifier / ResponseHeaderModifier: the rule\'s then the backend\'s changes go with the request', () => {
    const set = { set: [{ name: 'X-Header-Set', value: 'set-overwrites-values' }], add: [{ name: 'X-Header-Add', value: 'add-appends-values' }], remove: ['X-Header-Remove'] };
    const r = router([http()], [
      route('r', {
        ...parent,
        rules: [{ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: set }, { type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'X-Resp', value: '1' }] } }], backendRefs: [to('v1', { filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Backend', value: 'v1' }] } }] })] }],
      }),
    ]);
    const d = r.route(req('a', '/'), 'http') as Forward;
    assert.deepEqual(d.requestHeaders, [set, { set: [{ name: 'X-Backend', value: 'v1' }] }]);
    assert.deepEqual(d.responseHeaders, [{ set: [{ name: 'X-Resp', value: '1' }] }]);
  });

  it('HTTPRouteWeight: 70/30/0 sends exactly those shares, spread evenly', () => {
    const r = router([http()], [route('r', { ...parent, rules: [{ backendRefs: [to('v1', { weight: 70 }), to('v2', { weight: 30 }), to('v3', { weight: 0 })] }] })]);
    const counts: Record<string, number> = {};
    const first10: string[] = [];
    for (let i = 0; i < 100; i++) {
      const w = where(r.route(req('a', '/'), 'http'));
      counts[w] = (counts[w] ?? 0) + 1;
      if (i < 10) first10.push(w);
    }
    assert.deepEqual(counts, { 'infra-backend-v1': 70, 'infra-backend-v2': 30 });
    assert.equal(first10.filter((w) => w === 'infra-backend-v2').length, 3, 'no run of one backend');
  });

  it('HTTPRouteInvalidNonExistentBackendRef and friends: 500 for the share of invalid backends, and for a rule with none', () => {
    const r = router([http()], [
      route('r', {
        ...parent,
        rules: [
          { matches: [{ path: { value: '/missing' } }], backendRefs: [{ name: 'nonexistent', port: 8080 }] },
          { matches: [{ path: { value: '/kind' } }], backendRefs: [{ group: 'example.com', kind: 'Nope', name: 'infra-backend-v1', port: 8080 }] },
          { matches: [{ path: { value: '/half' } }], backendRefs: [to('v1'), { name: 'nonexistent', port: 8080 }] },
          { matches: [{ path: { value: '/none' } }] },
        ],
      }),
    ]);
    assert.equal(where(r.route(req('a', '/missing'), 'http')), '500');
    assert.equal(where(r.route(req('a', '/kind'), 'http')), '500');
    assert.equal(where(r.route(req('a', '/none'), 'http')), '500');
    const half = Array.from({ length: 10 }, () => where(r.route(req('a', '/half'), 'http')));
    assert.equal(half.filter((x) => x === '500').length, 5);
    assert.equal(half.filter((x) => x === 'infra-backend-v1').length, 5);
  });

  it('a forward decision is built once per backend and reused, unless the rule rewrites the path (which depends on the request)', () => {
    const r = router([http()], [
      route('r', {
        ...parent,
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/plain' } }], filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'one.example.org' } }], backendRefs: [to('v1'), to('v2')] },
          { matches: [{ path: { type: 'PathPrefix', value: '/rewrite' } }], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } } }], backendRefs: [to('v1')] },
        ],
      }),
    ]);
    const plain = Array.from({ length: 4 }, (_, i) => r.route(req('a', `/plain/${i}`), 'http') as Forward);
    // Weighted between two backends: each backend's decision object is the same every time it is picked.
    assert.deepEqual(plain.map((d) => d.endpoints?.list()[0]?.ip), ['infra-backend-v1', 'infra-backend-v2', 'infra-backend-v1', 'infra-backend-v2']);
    assert.equal(plain[0], plain[2]);
    assert.equal(plain[1], plain[3]);
    assert.notEqual(plain[0], plain[1]);
    assert.equal(plain[0]!.host, 'one.example.org');
    assert.equal(plain[1]!.info?.service, 'infra-backend-v2');
    const a = r.route(req('a', '/rewrite/a'), 'http') as Forward;
    const b = r.route(req('a', '/rewrite/b'), 'http') as Forward;
    assert.deepEqual([a.url, b.url], ['/x/a', '/x/b']);
  });
});
