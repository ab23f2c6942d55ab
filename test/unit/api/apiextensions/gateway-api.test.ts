// The Gateway API v1.6.1 standard CRDs through the library: they validate as CRDs with every CEL
// rule compiled within cost, valid objects pass with upstream's defaults applied, and objects
// their CEL rules reject are rejected with the rule's own message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorString } from '../../../../src/machinery/field.js';
import {
  CustomResourceVersion,
  defaultCustomResourceDefinition,
  validateCustomResourceDefinition,
  type CustomResourceDefinition,
} from '../../../../src/api/apiextensions/index.js';
import { gatewayCRD } from './fixtures.js';

function served(crd: CustomResourceDefinition, version = 'v1'): CustomResourceVersion {
  return new CustomResourceVersion(crd, crd.spec!.versions!.find((v) => v.name === version)!);
}

function create(h: CustomResourceVersion, obj: Record<string, unknown>): string[] {
  h.prepareForCreate(obj);
  return h.validate(obj).map(errorString);
}

const gw = served(gatewayCRD('gateways'));
const route = served(gatewayCRD('httproutes'));
const gwc = served(gatewayCRD('gatewayclasses'));

function gateway(spec: unknown): Record<string, unknown> {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'web', namespace: 'default' }, spec };
}

function httpRoute(spec: unknown): Record<string, unknown> {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'default' }, spec };
}

describe('Gateway API v1.6.1 standard CRDs', () => {
  for (const plural of ['gatewayclasses', 'gateways', 'httproutes', 'referencegrants'] as const) {
    it(`${plural} validates as a CRD, every CEL rule compiling within cost`, () => {
      const crd = gatewayCRD(plural);
      defaultCustomResourceDefinition(crd);
      assert.deepEqual(validateCustomResourceDefinition(crd).map(errorString), []);
      for (const v of crd.spec!.versions!) {
        const h = served(crd, v.name);
        assert.deepEqual(h.rules.errors.map(errorString), [], `${plural} ${v.name}`);
      }
    });
  }

  it('counts the CEL rules it compiled (Gateway and HTTPRoute carry dozens)', () => {
    const count = (h: CustomResourceVersion) => [...h.rules.byNode.values()].reduce((n, r) => n + r.length, 0);
    assert.ok(count(gw) >= 10, `gateway rules: ${count(gw)}`);
    assert.ok(count(route) >= 40, `httproute rules: ${count(route)}`);
  });

  it('a valid Gateway passes, with allowedRoutes defaulted as upstream', () => {
    const obj = gateway({ gatewayClassName: 'kubesvc', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] });
    assert.deepEqual(create(gw, obj), []);
    const listener = (obj['spec'] as { listeners: Record<string, unknown>[] }).listeners[0]!;
    assert.deepEqual(listener['allowedRoutes'], { namespaces: { from: 'Same' } });
  });

  it('a valid HTTPRoute passes, with the default match, backend group/kind and weight', () => {
    const obj = httpRoute({ parentRefs: [{ name: 'web' }], rules: [{ backendRefs: [{ name: 'svc', port: 8080 }] }] });
    assert.deepEqual(create(route, obj), []);
    const spec = obj['spec'] as { parentRefs: Record<string, unknown>[]; rules: Record<string, unknown>[] };
    assert.deepEqual(spec.rules[0]!['matches'], [{ path: { type: 'PathPrefix', value: '/' } }]);
    assert.deepEqual(spec.rules[0]!['backendRefs'], [{ group: '', kind: 'Service', name: 'svc', port: 8080, weight: 1 }]);
    assert.equal(spec.parentRefs[0]!['group'], 'gateway.networking.k8s.io');
    assert.equal(spec.parentRefs[0]!['kind'], 'Gateway');
  });

  it('an HTTPRoute with no rules is defaulted to one PathPrefix / rule', () => {
    const obj = httpRoute({ parentRefs: [{ name: 'web' }] });
    assert.deepEqual(create(route, obj), []);
    assert.deepEqual((obj['spec'] as { rules: unknown[] }).rules, [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }]);
  });

  it('rejects duplicate listener names with the rule message', () => {
    const obj = gateway({
      gatewayClassName: 'kubesvc',
      listeners: [
        { name: 'http', port: 80, protocol: 'HTTP' },
        { name: 'http', port: 8080, protocol: 'HTTP' },
      ],
    });
    const errs = create(gw, obj);
    assert.ok(errs.includes('spec.listeners: Invalid value: "array": Listener name must be unique within the Gateway'), errs.join('\n'));
  });

  it('rejects a hostname on a TCP listener with the rule message', () => {
    const obj = gateway({ gatewayClassName: 'kubesvc', listeners: [{ name: 'tcp', port: 9000, protocol: 'TCP', hostname: 'a.example.com' }] });
    const errs = create(gw, obj);
    assert.ok(errs.some((e) => e.startsWith('spec.listeners: Invalid value: "array": hostname must not be specified for protocols')), errs.join('\n'));
  });

  it('rejects an HTTPS listener without certificateRefs in Terminate mode', () => {
    // Both fields absent: the rule reads self.options, which CEL reports as a missing key, with
    // the rule's message in upstream's `<error> evaluating rule: <message>` form.
    const obj = gateway({ gatewayClassName: 'kubesvc', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate' } }] });
    assert.deepEqual(create(gw, obj), [
      'spec.listeners[0].tls: Invalid value: "object": no such key: options evaluating rule: certificateRefs or options must be specified when mode is Terminate',
    ]);
    const empty = gateway({
      gatewayClassName: 'kubesvc',
      listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [], options: {} } }],
    });
    assert.deepEqual(create(gw, empty), ['spec.listeners[0].tls: Invalid value: "object": certificateRefs or options must be specified when mode is Terminate']);
  });

  it('rejects an HTTPRoute path that does not start with /', () => {
    const obj = httpRoute({ parentRefs: [{ name: 'web' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: 'api' } }] }] });
    const errs = create(route, obj);
    assert.ok(errs.includes('spec.rules[0].matches[0].path: Invalid value: "object": value must be an absolute path and start with \'/\' when type one of [\'Exact\', \'PathPrefix\']'), errs.join('\n'));
  });

  it('rejects a filter whose type does not match its field (has() on list elements)', () => {
    const obj = httpRoute({
      parentRefs: [{ name: 'web' }],
      rules: [{ filters: [{ type: 'RequestRedirect', requestHeaderModifier: { set: [{ name: 'a', value: 'b' }] } }] }],
    });
    const errs = create(route, obj);
    assert.ok(errs.some((e) => e.includes('filter.requestHeaderModifier must be nil if the filter.type is not RequestHeaderModifier')), errs.join('\n'));
    assert.ok(errs.some((e) => e.includes('filter.requestRedirect must be specified for RequestRedirect filter.type')), errs.join('\n'));
  });

  it('rejects a backendRequest timeout longer than the request timeout (duration())', () => {
    const obj = httpRoute({ parentRefs: [{ name: 'web' }], rules: [{ timeouts: { request: '1s', backendRequest: '2s' } }] });
    const errs = create(route, obj);
    assert.ok(errs.includes('spec.rules[0].timeouts: Invalid value: "object": backendRequest timeout cannot be longer than request timeout'), errs.join('\n'));
    const ok = httpRoute({ parentRefs: [{ name: 'web' }], rules: [{ timeouts: { request: '2s', backendRequest: '1s' } }] });
    assert.deepEqual(create(route, ok), []);
  });

  it('rejects duplicate parentRefs (the __namespace__-escaped rule)', () => {
    const obj = httpRoute({ parentRefs: [{ name: 'web', namespace: 'a' }, { name: 'web', namespace: 'a' }] });
    const errs = create(route, obj);
    assert.ok(errs.includes('spec.parentRefs: Invalid value: "array": sectionName must be unique when parentRefs includes 2 or more references to the same parent'), errs.join('\n'));
    const distinct = httpRoute({ parentRefs: [{ name: 'web', namespace: 'a' }, { name: 'web', namespace: 'b' }] });
    assert.deepEqual(create(route, distinct), []);
  });

  it('iterates map keys: infrastructure annotation keys are checked by regex and length', () => {
    const withAnnotations = (annotations: Record<string, string>) =>
      gateway({ gatewayClassName: 'kubesvc', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }], infrastructure: { annotations } });
    assert.deepEqual(create(gw, withAnnotations({ 'example.com/team': 'a' })), []);
    assert.deepEqual(create(gw, withAnnotations({ 'bad key!': 'a' })), [
      'spec.infrastructure.annotations: Invalid value: "object": Annotation keys must be in the form of an optional DNS subdomain prefix followed by a required name segment of up to 63 characters.',
    ]);
    assert.deepEqual(create(gw, withAnnotations({ [`${'a'.repeat(300)}/x`]: 'a' })), [
      "spec.infrastructure.annotations: Invalid value: \"object\": If specified, the annotation key's prefix must be a DNS subdomain not longer than 253 characters in total.",
    ]);
  });

  it('GatewayClass controllerName is immutable: a transition rule on update', () => {
    const mk = (controller: string) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'kubesvc', resourceVersion: '1' },
      spec: { controllerName: controller },
    });
    const old = mk('example.com/a');
    assert.deepEqual(create(gwc, old), []);
    const same = mk('example.com/a');
    gwc.prepareForUpdate(same, old);
    assert.deepEqual(gwc.validateUpdate(same, old).map(errorString), []);
    const changed = mk('example.com/b');
    gwc.prepareForUpdate(changed, old);
    assert.deepEqual(gwc.validateUpdate(changed, old).map(errorString), ['spec.controllerName: Invalid value: "string": Value is immutable']);
  });

  it('schema errors come before CEL with kube-openapi wording (port out of range, wrong type)', () => {
    const obj = gateway({ gatewayClassName: 'kubesvc', listeners: [{ name: 'http', port: 'eighty', protocol: 'HTTP' }] });
    const errs = create(gw, obj);
    assert.ok(errs.includes('spec.listeners[0].port: Invalid value: "string": spec.listeners[0].port in body must be of type integer: "string"'), errs.join('\n'));
    assert.ok(errs.some((e) => e.includes('some validation rules were not checked because the object was invalid')), errs.join('\n'));
  });
});
