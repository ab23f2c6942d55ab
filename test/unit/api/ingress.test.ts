// networking.k8s.io/v1 Ingress and IngressClass validation, table-driven from the Ingress spec and
// upstream's validation tests, in upstream's words.
import { describe, it } from 'node:test';
import type { Ingress, IngressClass } from '../../../src/api/networking.js';
import { assertErrors, strategyFor, type Expect } from './helpers.js';

const backend = { service: { name: 'web', port: { number: 80 } } };
function ingress(spec: Record<string, unknown>, annotations?: Record<string, string>): Ingress {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'default', ...(annotations ? { annotations } : {}) }, spec };
}
const rule = (host: string | undefined, ...paths: Record<string, unknown>[]) => ({ ...(host === undefined ? {} : { host }), http: { paths } });
const path = (p: string | undefined, pathType: string | undefined, b: unknown = backend) => ({
  ...(p === undefined ? {} : { path: p }),
  ...(pathType === undefined ? {} : { pathType }),
  backend: b,
});
const at = 'spec.rules[0].http.paths[0]';
const wildcardMsg =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('Ingress validation', () => {
  const rules = strategyFor('Ingress');
  const cases: [string, Ingress, Expect[] | number][] = [
    ['a Prefix path', ingress({ rules: [rule('foo.bar.com', path('/foo', 'Prefix'))] }), 0],
    ['an Exact path', ingress({ rules: [rule('foo.bar.com', path('/foo/bar', 'Exact'))] }), 0],
    ['an ImplementationSpecific regex', ingress({ rules: [rule(undefined, path('/foo(/|$)(.*)', 'ImplementationSpecific'))] }), 0],
    ['an ImplementationSpecific empty path', ingress({ rules: [rule(undefined, path(undefined, 'ImplementationSpecific'))] }), 0],
    ['only a defaultBackend', ingress({ defaultBackend: backend }), 0],
    ['a wildcard host', ingress({ rules: [rule('*.bar.com', path('/', 'Prefix'))] }), 0],
    ['a resource backend', ingress({ defaultBackend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } } }), 0],
    ['a named port', ingress({ defaultBackend: { service: { name: 'web', port: { name: 'http' } } } }), 0],
    ['neither rules nor defaultBackend', ingress({}), [
      { field: 'spec', type: 'FieldValueInvalid', message: 'spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified' },
    ]],
    ['no pathType', ingress({ rules: [rule('a.com', path('/foo', undefined))] }), [
      { field: `${at}.pathType`, type: 'FieldValueRequired', message: `${at}.pathType: Required value: pathType must be specified` },
    ]],
    ['an unknown pathType', ingress({ rules: [rule('a.com', path('/foo', 'Regex'))] }), [
      { field: `${at}.pathType`, type: 'FieldValueNotSupported', message: `${at}.pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"` },
    ]],
    ['a relative Prefix path', ingress({ rules: [rule('a.com', path('foo', 'Prefix'))] }), [
      { field: `${at}.path`, type: 'FieldValueInvalid', message: `${at}.path: Invalid value: "foo": must be an absolute path` },
    ]],
    ['an empty Exact path', ingress({ rules: [rule('a.com', path('', 'Exact'))] }), [{ field: `${at}.path`, type: 'FieldValueInvalid' }]],
    ['a relative ImplementationSpecific path', ingress({ rules: [rule('a.com', path('foo', 'ImplementationSpecific'))] }), [{ field: `${at}.path`, type: 'FieldValueInvalid' }]],
    ['// in a Prefix path', ingress({ rules: [rule('a.com', path('/foo//bar', 'Prefix'))] }), [
      { field: `${at}.path`, type: 'FieldValueInvalid', message: `${at}.path: Invalid value: "/foo//bar": must not contain '//'` },
    ]],
    ['/../ and %2f in an Exact path', ingress({ rules: [rule('a.com', path('/a/../b%2f', 'Exact'))] }), [
      { field: `${at}.path`, type: 'FieldValueInvalid', message: `${at}.path: Invalid value: "/a/../b%2f": must not contain '/../'` },
      { field: `${at}.path`, type: 'FieldValueInvalid', message: `${at}.path: Invalid value: "/a/../b%2f": must not contain '%2f'` },
    ]],
    ['a path ending in /.', ingress({ rules: [rule('a.com', path('/foo/.', 'Prefix'))] }), [
      { field: `${at}.path`, type: 'FieldValueInvalid', message: `${at}.path: Invalid value: "/foo/.": cannot end with '/.'` },
    ]],
    ['// is fine for ImplementationSpecific', ingress({ rules: [rule('a.com', path('/foo//bar', 'ImplementationSpecific'))] }), 0],
    ['* alone as a host', ingress({ rules: [rule('*', path('/', 'Prefix'))] }), [
      { field: 'spec.rules[0].host', type: 'FieldValueInvalid', message: `spec.rules[0].host: Invalid value: "*": ${wildcardMsg}` },
    ]],
    ['two wildcard labels', ingress({ rules: [rule('*.*.bar.com', path('/', 'Prefix'))] }), [{ field: 'spec.rules[0].host', type: 'FieldValueInvalid' }]],
    ['a wildcard inside a label', ingress({ rules: [rule('f*.bar.com', path('/', 'Prefix'))] }), [{ field: 'spec.rules[0].host', type: 'FieldValueInvalid' }]],
    ['an IP as host', ingress({ rules: [rule('1.2.3.4', path('/', 'Prefix'))] }), [
      { field: 'spec.rules[0].host', type: 'FieldValueInvalid', message: 'spec.rules[0].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address' },
    ]],
    ['an upper-case host', ingress({ rules: [rule('Foo.com', path('/', 'Prefix'))] }), [{ field: 'spec.rules[0].host', type: 'FieldValueInvalid' }]],
    ['http without paths', ingress({ rules: [{ host: 'a.com', http: { paths: [] } }] }), [
      { field: 'spec.rules[0].http.paths', type: 'FieldValueRequired', message: 'spec.rules[0].http.paths: Required value' },
    ]],
    ['both service and resource', ingress({ defaultBackend: { ...backend, resource: { kind: 'Bucket', name: 'b' } } }), [
      { field: 'spec.defaultBackend', type: 'FieldValueInvalid', message: 'spec.defaultBackend: Invalid value: "": cannot set both resource and service backends' },
    ]],
    ['an empty backend', ingress({ defaultBackend: {} }), [
      { field: 'spec.defaultBackend', type: 'FieldValueInvalid', message: 'spec.defaultBackend: Invalid value: "": resource or service backend is required' },
    ]],
    ['both port name and number', ingress({ defaultBackend: { service: { name: 'web', port: { name: 'http', number: 80 } } } }), [
      { field: 'spec.defaultBackend', type: 'FieldValueInvalid', message: 'spec.defaultBackend: Invalid value: "": cannot set both port name & port number' },
    ]],
    ['no port', ingress({ defaultBackend: { service: { name: 'web' } } }), [
      { field: 'spec.defaultBackend', type: 'FieldValueRequired', message: 'spec.defaultBackend: Required value: port name or number is required' },
    ]],
    ['a port out of range', ingress({ defaultBackend: { service: { name: 'web', port: { number: 70000 } } } }), [
      { field: 'spec.defaultBackend.service.port.number', type: 'FieldValueInvalid', message: 'spec.defaultBackend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive' },
    ]],
    ['a Service name that is no DNS-1035 label', ingress({ defaultBackend: { service: { name: '1web', port: { number: 80 } } } }), [
      { field: 'spec.defaultBackend.service.name', type: 'FieldValueInvalid' },
    ]],
    ['no Service name', ingress({ defaultBackend: { service: { name: '', port: { number: 80 } } } }), [
      { field: 'spec.defaultBackend.service.name', type: 'FieldValueRequired' },
    ]],
    ['a resource without kind', ingress({ defaultBackend: { resource: { name: 'b' } } }), [{ field: 'spec.defaultBackend.resource.kind', type: 'FieldValueRequired' }]],
    ['TLS with a wildcard host and a secret', ingress({ defaultBackend: backend, tls: [{ hosts: ['*.a.com', 'b.com'], secretName: 'tls' }] }), 0],
    ['TLS with a bad host and secret name', ingress({ defaultBackend: backend, tls: [{ hosts: ['*'], secretName: 'Bad_Name' }] }), [
      { field: 'spec.tls[0].hosts[0]', type: 'FieldValueInvalid' },
      { field: 'spec.tls[0].secretName', type: 'FieldValueInvalid' },
    ]],
    ['a bad class name', ingress({ defaultBackend: backend, ingressClassName: 'Not_OK' }), [{ field: 'spec.ingressClassName', type: 'FieldValueInvalid' }]],
    ['class annotation and name that differ', ingress({ defaultBackend: backend, ingressClassName: 'a' }, { 'kubernetes.io/ingress.class': 'b' }), [
      { field: 'annotations.kubernetes.io/ingress.class', type: 'FieldValueInvalid', message: 'annotations.kubernetes.io/ingress.class: Invalid value: "b": must match `ingressClassName` when both are specified' },
    ]],
  ];
  for (const [name, obj, want] of cases) it(name, () => assertErrors(rules.validateCreate(obj), want, name));

  it('an update keeps a TLS secret name the stored Ingress already had wrong', () => {
    const old = ingress({ defaultBackend: backend, tls: [{ secretName: 'Bad_Name' }] });
    old.metadata.resourceVersion = '3';
    const next = structuredClone(old);
    assertErrors(rules.validateUpdate(next, old), 0, 'kept');
    assertErrors(rules.validateCreate(next), 1, 'create refuses it');
  });

  it('status takes IPs and hostnames, not an IP as hostname', () => {
    const old = ingress({ defaultBackend: backend });
    old.metadata.resourceVersion = '3';
    const next = { ...structuredClone(old), status: { loadBalancer: { ingress: [{ ip: '127.240.0.1' }, { hostname: 'lb.example.com' }] } } };
    assertErrors(rules.validateStatusUpdate(next, old), 0, 'valid');
    const bad = { ...structuredClone(old), status: { loadBalancer: { ingress: [{ ip: 'nope' }, { hostname: '10.0.0.1' }] } } };
    assertErrors(rules.validateStatusUpdate(bad, old), [
      { field: 'status.loadBalancer.ingress[0].ip', type: 'FieldValueInvalid' },
      { field: 'status.loadBalancer.ingress[1].hostname', type: 'FieldValueInvalid', message: 'status.loadBalancer.ingress[1].hostname: Invalid value: "10.0.0.1": must be a DNS name, not an IP address' },
    ], 'invalid');
  });
});

describe('IngressClass validation', () => {
  const rules = strategyFor('IngressClass');
  const cls = (spec: Record<string, unknown>): IngressClass => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'kubesvc' }, spec });
  const cases: [string, IngressClass, Expect[] | number][] = [
    ['a domain-prefixed controller', cls({ controller: 'kubesvc.io/ingress' }), 0],
    ['no controller', cls({}), [{ field: 'spec.controller', type: 'FieldValueRequired' }]],
    ['a controller without a path', cls({ controller: 'kubesvc.io' }), [
      { field: 'spec.controller', type: 'FieldValueInvalid', message: 'spec.controller: Invalid value: "kubesvc.io": must be a domain-prefixed path (such as "acme.io/foo")' },
    ]],
    ['a controller with a bad domain', cls({ controller: 'Bad_Domain/x' }), [{ field: 'spec.controller', type: 'FieldValueInvalid' }]],
    ['cluster parameters', cls({ controller: 'a.io/b', parameters: { kind: 'Config', name: 'c', scope: 'Cluster' } }), 0],
    ['namespace parameters without namespace', cls({ controller: 'a.io/b', parameters: { kind: 'Config', name: 'c', scope: 'Namespace' } }), [
      { field: 'spec.parameters.namespace', type: 'FieldValueRequired', message: "spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'" },
    ]],
    ['cluster parameters with a namespace', cls({ controller: 'a.io/b', parameters: { kind: 'Config', name: 'c', scope: 'Cluster', namespace: 'x' } }), [
      { field: 'spec.parameters.namespace', type: 'FieldValueForbidden' },
    ]],
    ['an unknown scope', cls({ controller: 'a.io/b', parameters: { kind: 'Config', name: 'c', scope: 'World' } }), [
      { field: 'spec.parameters.scope', type: 'FieldValueNotSupported', message: 'spec.parameters.scope: Unsupported value: "World": supported values: "Cluster", "Namespace"' },
    ]],
  ];
  for (const [name, obj, want] of cases) it(name, () => assertErrors(rules.validateCreate(obj), want, name));

  it('defaults the parameters scope to Cluster and keeps the controller', () => {
    const c = cls({ controller: 'a.io/b', parameters: { kind: 'Config', name: 'c' } });
    rules.defaults(c);
    assertErrors(rules.validateCreate(c), 0, 'defaulted');
    const old = { ...cls({ controller: 'a.io/b' }), metadata: { name: 'kubesvc', resourceVersion: '2' } };
    const next = { ...cls({ controller: 'a.io/c' }), metadata: { name: 'kubesvc', resourceVersion: '2' } };
    assertErrors(rules.validateUpdate(next, old), [{ field: 'spec.controller', type: 'FieldValueInvalid' }], 'immutable');
  });
});
