// The Gateway API status rules, scenario by scenario as the conformance suite's GATEWAY-HTTP core
// tests set them up (gateway-api conformance/tests: GatewayClassObservedGenerationBump,
// GatewayInvalidRouteKind, GatewayInvalidTLSConfiguration, GatewaySecret*ReferenceGrant*,
// GatewayWithAttachedRoutes, HTTPRouteInvalid*, HTTPRouteHostnameIntersection, HTTPRouteReferenceGrant,
// ...): the conditions and reasons each must produce.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planGateways, keepTransitionTimes } from '../../../src/gateway/model.js';
import type { Condition } from '../../../src/api/gateway.js';
import { gateway, gatewayClass, grant, http, route, tlsSecret, world } from './fixtures.js';

const infra = 'gateway-conformance-infra';
const c = (conds: Condition[] | undefined, type: string) => {
  const x = conds?.find((k) => k.type === type);
  return x ? `${x.status}/${x.reason}` : 'absent';
};
const backend = (name = 'infra-backend-v1', extra: Record<string, unknown> = {}) => ({ name, port: 8080, ...extra });

describe('GatewayClass', () => {
  it('a class of this controller is Accepted with its generation; another controller\'s is left alone', () => {
    const gc = gatewayClass();
    gc.metadata.generation = 3;
    const plan = planGateways(world({ classes: [gc, gatewayClass('other', 'example.com/other')] }));
    const conds = plan.classStatus.get('kubesvc')!;
    assert.equal(c(conds, 'Accepted'), 'True/Accepted');
    assert.equal(c(conds, 'SupportedVersion'), 'True/SupportedVersion');
    assert.equal(conds[0]!.observedGeneration, 3);
    assert.equal(plan.classStatus.has('other'), false);
  });
});

describe('Gateway and listener status', () => {
  it('an HTTP listener is Accepted, Programmed, ResolvedRefs, not Conflicted; the Gateway gets the data plane address', () => {
    const plan = planGateways(world({ gateways: [gateway('same-namespace', [http()])] }));
    const st = plan.gatewayStatus.get(`${infra}/same-namespace`)!;
    assert.deepEqual(st.addresses, [{ type: 'IPAddress', value: '127.240.0.1' }]);
    assert.equal(c(st.conditions, 'Accepted'), 'True/Accepted');
    assert.equal(c(st.conditions, 'Programmed'), 'True/Programmed');
    const l = st.listeners![0]!;
    assert.deepEqual(l.supportedKinds, [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }]);
    assert.deepEqual(l.conditions.map((x) => `${x.type}=${x.status}/${x.reason}`), ['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs', 'Conflicted=False/NoConflicts', 'Programmed=True/Programmed']);
    assert.equal(plan.listeners.length, 1);
  });

  it('no address yet: Programmed False AddressNotAssigned; a requested address it does not have: UnsupportedAddress', () => {
    let st = planGateways(world({ gateways: [gateway('g', [http()])], addresses: [] })).gatewayStatus.get(`${infra}/g`)!;
    assert.equal(c(st.conditions, 'Programmed'), 'False/AddressNotAssigned');
    st = planGateways(world({ gateways: [gateway('g', [http()], { addresses: [{ type: 'IPAddress', value: '10.9.9.9' }] })] })).gatewayStatus.get(`${infra}/g`)!;
    assert.equal(c(st.conditions, 'Accepted'), 'False/UnsupportedAddress');
    assert.equal(c(st.conditions, 'Programmed'), 'False/AddressNotUsable');
  });

  it('a port the data plane does not serve is PortUnavailable; TCP is UnsupportedProtocol; the Gateway says ListenersNotValid', () => {
    const plan = planGateways(world({ gateways: [gateway('g', [http(), http('odd', { port: 8081 }), { name: 'tcp', port: 80, protocol: 'TCP' } as never])] }));
    const st = plan.gatewayStatus.get(`${infra}/g`)!;
    assert.equal(c(st.listeners![1]!.conditions, 'Accepted'), 'False/PortUnavailable');
    assert.equal(c(st.listeners![2]!.conditions, 'Accepted'), 'False/UnsupportedProtocol');
    assert.deepEqual(st.listeners![2]!.supportedKinds, []);
    assert.equal(c(st.conditions, 'Accepted'), 'False/ListenersNotValid'); // none of the three is valid
    // Port 80 with two protocols: both conflict.
    assert.equal(c(st.listeners![0]!.conditions, 'Conflicted'), 'True/ProtocolConflict');
    assert.equal(plan.listeners.length, 0);
  });

  it('two listeners on one port with one hostname: HostnameConflict, neither programmed', () => {
    const st = planGateways(world({ gateways: [gateway('g', [http('a', { hostname: 'x.example' }), http('b', { hostname: 'x.example' }), http('c', { hostname: 'y.example' })])] })).gatewayStatus.get(`${infra}/g`)!;
    assert.deepEqual(st.listeners!.map((l) => c(l.conditions, 'Conflicted')), ['True/HostnameConflict', 'True/HostnameConflict', 'False/NoConflicts']);
    assert.deepEqual(st.listeners!.map((l) => c(l.conditions, 'Programmed')), ['False/Invalid', 'False/Invalid', 'True/Programmed']);
  });

  it('GatewayInvalidRouteKind: a kind other than HTTPRoute is InvalidRouteKinds and left out of supportedKinds', () => {
    const st = planGateways(world({ gateways: [gateway('g', [http('h', { allowedRoutes: { kinds: [{ kind: 'FooRoute' }, { kind: 'HTTPRoute' }] } }), http('only-bad', { port: 80, hostname: 'x.example', allowedRoutes: { kinds: [{ kind: 'FooRoute' }] } })])] })).gatewayStatus.get(`${infra}/g`)!;
    assert.equal(c(st.listeners![0]!.conditions, 'ResolvedRefs'), 'False/InvalidRouteKinds');
    assert.deepEqual(st.listeners![0]!.supportedKinds, [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }]);
    assert.deepEqual(st.listeners![1]!.supportedKinds, []);
  });

  it('GatewayInvalidTLSConfiguration: a missing Secret, a non-TLS Secret, a non-Secret kind are InvalidCertificateRef', () => {
    const https = (name: string, ref: Record<string, unknown>, hostname: string) => ({ name, port: 443, protocol: 'HTTPS', hostname, tls: { certificateRefs: [ref as never] } });
    const opaque = { ...tlsSecret(infra, 'opaque'), type: 'Opaque' };
    const st = planGateways(
      world({
        gateways: [gateway('g', [https('missing', { name: 'nope' }, 'a.example'), https('opaque', { name: 'opaque' }, 'b.example'), https('kind', { group: 'example.com', kind: 'Cert', name: 'x' }, 'c.example')])],
        secrets: [opaque],
      }),
    ).gatewayStatus.get(`${infra}/g`)!;
    for (const l of st.listeners!) {
      assert.equal(c(l.conditions, 'ResolvedRefs'), 'False/InvalidCertificateRef', l.name);
      assert.equal(c(l.conditions, 'Programmed'), 'False/Invalid', l.name);
    }
  });

  it('GatewaySecretMissingReferenceGrant / ReferenceGrantSpecific / AllInNamespace: a Secret in another namespace needs a grant', () => {
    const https = { name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'certificate', namespace: 'gateway-conformance-web-backend' }] } } as const;
    const secrets = [tlsSecret('gateway-conformance-web-backend', 'certificate')];
    const listenerRefs = (grants: ReturnType<typeof grant>[]) =>
      c(planGateways(world({ gateways: [gateway('g', [https as never])], secrets, grants })).gatewayStatus.get(`${infra}/g`)!.listeners![0]!.conditions, 'ResolvedRefs');
    assert.equal(listenerRefs([]), 'False/RefNotPermitted');
    assert.equal(listenerRefs([grant('gateway-conformance-web-backend', { kind: 'Gateway', namespace: infra }, { kind: 'Secret', name: 'certificate' })]), 'True/ResolvedRefs');
    assert.equal(listenerRefs([grant('gateway-conformance-web-backend', { kind: 'Gateway', namespace: infra }, { kind: 'Secret' })]), 'True/ResolvedRefs');
    // GatewaySecretInvalidReferenceGrant: a grant for another Secret, or from another namespace, does not count.
    assert.equal(listenerRefs([grant('gateway-conformance-web-backend', { kind: 'Gateway', namespace: infra }, { kind: 'Secret', name: 'not-the-one' })]), 'False/RefNotPermitted');
    assert.equal(listenerRefs([grant('gateway-conformance-web-backend', { kind: 'Gateway', namespace: 'elsewhere' }, { kind: 'Secret' })]), 'False/RefNotPermitted');
  });

  it('GatewayWithAttachedRoutes: attachedRoutes counts the routes attached to each listener', () => {
    const gw = gateway('g', [http('a'), http('b', { hostname: 'only.example' }), http('c', { hostname: 'x.example', allowedRoutes: { namespaces: { from: 'Same' } } })]);
    const routes = [
      route('r1', { parentRefs: [{ name: 'g' }], rules: [{ backendRefs: [backend()] }] }),
      route('r2', { parentRefs: [{ name: 'g', sectionName: 'a' }], rules: [{ backendRefs: [backend()] }] }),
      route('r3', { parentRefs: [{ name: 'g', namespace: infra }], hostnames: ['other.example'], rules: [{ backendRefs: [backend()] }] }, { namespace: 'elsewhere' }),
    ];
    const st = planGateways(world({ gateways: [gw], routes })).gatewayStatus.get(`${infra}/g`)!;
    // r1 attaches to a, b and c; r2 to a; r3 (other namespace, hostname other.example) to a only.
    assert.deepEqual(st.listeners!.map((l) => l.attachedRoutes), [3, 1, 1]);
  });
});

describe('HTTPRoute parent status', () => {
  const gw = gateway('same-namespace', [http('http', { allowedRoutes: { namespaces: { from: 'Same' } } })]);

  it('HTTPRouteSimpleSameNamespace: Accepted and ResolvedRefs, with the parentRef defaulted and the controller named', () => {
    const plan = planGateways(world({ gateways: [gw], routes: [route('gateway-conformance-infra-test', { parentRefs: [{ name: 'same-namespace' }], rules: [{ backendRefs: [backend()] }] }, { generation: 2 })] }));
    const [p] = plan.routeStatus.get(`${infra}/gateway-conformance-infra-test`)!;
    assert.deepEqual(p!.parentRef, { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'same-namespace' });
    assert.equal(p!.controllerName, 'kubesvc.io/gateway-controller');
    assert.equal(c(p!.conditions, 'Accepted'), 'True/Accepted');
    assert.equal(c(p!.conditions, 'ResolvedRefs'), 'True/ResolvedRefs');
    assert.equal(p!.conditions[0]!.observedGeneration, 2);
  });

  it('HTTPRouteInvalidCrossNamespaceParentRef: a route from another namespace is NotAllowedByListeners', () => {
    const plan = planGateways(world({ gateways: [gw], routes: [route('r', { parentRefs: [{ name: 'same-namespace', namespace: infra }], rules: [{ backendRefs: [backend('web-backend')] }] }, { namespace: 'gateway-conformance-web-backend' })] }));
    assert.equal(c(plan.routeStatus.get('gateway-conformance-web-backend/r')![0]!.conditions, 'Accepted'), 'False/NotAllowedByListeners');
  });

  it('allowedRoutes from Selector admits namespaces whose labels match', () => {
    const sel = gateway('g', [http('http', { allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'web' } } } } })]);
    const r = (ns: string) => route('r', { parentRefs: [{ name: 'g', namespace: infra }], rules: [] }, { namespace: ns });
    const plan = planGateways(world({ gateways: [sel], routes: [r('web'), r('db')], namespaces: { web: { team: 'web' }, db: { team: 'db' } } }));
    assert.equal(c(plan.routeStatus.get('web/r')![0]!.conditions, 'Accepted'), 'True/Accepted');
    assert.equal(c(plan.routeStatus.get('db/r')![0]!.conditions, 'Accepted'), 'False/NotAllowedByListeners');
  });

  it('HTTPRouteInvalidParentRefNotMatchingSectionName / ListenerPort: NoMatchingParent', () => {
    const plan = planGateways(
      world({
        gateways: [gw],
        routes: [route('section', { parentRefs: [{ name: 'same-namespace', sectionName: 'unknown' }], rules: [] }), route('port', { parentRefs: [{ name: 'same-namespace', port: 81 }], rules: [] })],
      }),
    );
    assert.equal(c(plan.routeStatus.get(`${infra}/section`)![0]!.conditions, 'Accepted'), 'False/NoMatchingParent');
    assert.equal(c(plan.routeStatus.get(`${infra}/port`)![0]!.conditions, 'Accepted'), 'False/NoMatchingParent');
  });

  it('HTTPRouteHostnameIntersection: no hostname in common with the listener is NoMatchingListenerHostname', () => {
    const g = gateway('g', [http('l', { hostname: '*.wildcard.io' })]);
    const plan = planGateways(world({ gateways: [g], routes: [route('none', { parentRefs: [{ name: 'g' }], hostnames: ['specific.non-matching.com', '*.nonmatchingwildcard.io'], rules: [] }), route('some', { parentRefs: [{ name: 'g' }], hostnames: ['foo.wildcard.io', 'other.com'], rules: [] })] }));
    assert.equal(c(plan.routeStatus.get(`${infra}/none`)![0]!.conditions, 'Accepted'), 'False/NoMatchingListenerHostname');
    assert.equal(c(plan.routeStatus.get(`${infra}/some`)![0]!.conditions, 'Accepted'), 'True/Accepted');
    // Only the intersecting hostname is served.
    assert.deepEqual(plan.listeners[0]!.routes[0]!.hostnames, ['foo.wildcard.io']);
  });

  it('HTTPRouteInvalidNonExistentBackendRef / UnknownKind / CrossNamespaceBackendRef: Accepted but ResolvedRefs False with the reason', () => {
    const mk = (name: string, ref: Record<string, unknown>) => route(name, { parentRefs: [{ name: 'same-namespace' }], rules: [{ backendRefs: [ref as never] }] });
    const plan = planGateways(
      world({
        gateways: [gw],
        routes: [mk('missing', backend('nonexistent')), mk('kind', backend('infra-backend-v1', { group: 'unknownkind.example.com', kind: 'NonExistent' })), mk('cross', backend('web-backend', { namespace: 'gateway-conformance-web-backend' }))],
        services: ['gateway-conformance-infra/infra-backend-v1', 'gateway-conformance-web-backend/web-backend'],
      }),
    );
    const st = (n: string) => plan.routeStatus.get(`${infra}/${n}`)![0]!.conditions;
    assert.equal(c(st('missing'), 'Accepted'), 'True/Accepted');
    assert.equal(c(st('missing'), 'ResolvedRefs'), 'False/BackendNotFound');
    assert.equal(c(st('kind'), 'ResolvedRefs'), 'False/InvalidKind');
    assert.equal(c(st('cross'), 'ResolvedRefs'), 'False/RefNotPermitted');
  });

  it('HTTPRouteReferenceGrant: a grant for the Service lets a route send across namespaces', () => {
    const r = route('r', { parentRefs: [{ name: 'same-namespace' }], rules: [{ backendRefs: [backend('web-backend', { namespace: 'gateway-conformance-web-backend' })] }] });
    const plan = planGateways(
      world({ gateways: [gw], routes: [r], services: ['gateway-conformance-web-backend/web-backend'], grants: [grant('gateway-conformance-web-backend', { kind: 'HTTPRoute', namespace: infra }, { kind: 'Service', name: 'web-backend' })] }),
    );
    assert.equal(c(plan.routeStatus.get(`${infra}/r`)![0]!.conditions, 'ResolvedRefs'), 'True/ResolvedRefs');
  });

  it('routes to a Gateway of another class or kind get no status from this controller', () => {
    const other = gateway('theirs', [http()], { className: 'other' });
    const plan = planGateways(world({ classes: [gatewayClass(), gatewayClass('other', 'example.com/x')], gateways: [other], routes: [route('r', { parentRefs: [{ name: 'theirs' }, { name: 'x', kind: 'Service', group: '' }], rules: [] })] }));
    assert.equal(plan.routeStatus.has(`${infra}/r`), false);
    assert.equal(plan.gatewayStatus.has(`${infra}/theirs`), false);
  });

  it('an unsupported filter (RequestMirror, ExtensionRef) leaves the route not Accepted with UnsupportedValue', () => {
    const r = route('r', { parentRefs: [{ name: 'same-namespace' }], rules: [{ filters: [{ type: 'ExtensionRef', extensionRef: { group: 'x', kind: 'y', name: 'z' } }], backendRefs: [backend()] }] });
    assert.equal(c(planGateways(world({ gateways: [gw], routes: [r] })).routeStatus.get(`${infra}/r`)![0]!.conditions, 'Accepted'), 'False/UnsupportedValue');
  });
});

it('keepTransitionTimes keeps the time of a condition whose status did not change', () => {
  const prior: Condition[] = [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '', lastTransitionTime: '2020-01-01T00:00:00Z' }];
  const next: Condition[] = [
    { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'x', lastTransitionTime: 'now' },
    { type: 'Programmed', status: 'False', reason: 'Invalid', message: '', lastTransitionTime: 'now' },
  ];
  assert.deepEqual(keepTransitionTimes(next, prior).map((x) => x.lastTransitionTime), ['2020-01-01T00:00:00Z', 'now']);
  const flipped = keepTransitionTimes([{ ...next[0]!, status: 'False' }], prior);
  assert.equal(flipped[0]!.lastTransitionTime, 'now');
});
