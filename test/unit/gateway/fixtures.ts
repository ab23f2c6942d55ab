// Builders for the Gateway API unit tests: objects as a user writes them, and a world to plan.
import type { Secret } from '../../../src/api/core.js';
import type { Gateway, GatewayClass, HTTPRoute, Listener, ReferenceGrant } from '../../../src/api/gateway.js';
import type { GatewayWorld } from '../../../src/gateway/model.js';

export const controllerName = 'kubesvc.io/gateway-controller';

export function gatewayClass(name = 'kubesvc', controller = controllerName): GatewayClass {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name, generation: 1 }, spec: { controllerName: controller } };
}

export function gateway(name: string, listeners: Listener[], extra: { namespace?: string; className?: string; generation?: number; addresses?: { type?: string; value: string }[] } = {}): Gateway {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: extra.namespace ?? 'gateway-conformance-infra', generation: extra.generation ?? 1 },
    spec: { gatewayClassName: extra.className ?? 'kubesvc', listeners, ...(extra.addresses ? { addresses: extra.addresses } : {}) },
  };
}

export const http = (name = 'http', extra: Partial<Listener> = {}): Listener => ({ name, port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } }, ...extra });

export function route(name: string, spec: HTTPRoute['spec'], extra: { namespace?: string; created?: string; generation?: number } = {}): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: extra.namespace ?? 'gateway-conformance-infra', generation: extra.generation ?? 1, creationTimestamp: extra.created ?? '2026-01-01T00:00:00Z' },
    spec,
  };
}

export function grant(namespace: string, from: { kind: string; namespace: string }, to: { kind: string; name?: string; group?: string }): ReferenceGrant {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'ReferenceGrant',
    metadata: { name: `grant-${from.namespace}`, namespace },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: from.kind, namespace: from.namespace }], to: [{ group: to.group ?? '', kind: to.kind, ...(to.name ? { name: to.name } : {}) }] },
  };
}

export function tlsSecret(namespace: string, name: string): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' } };
}

export function world(w: Partial<GatewayWorld> & { services?: string[]; secrets?: Secret[]; namespaces?: Record<string, Record<string, string>> }): GatewayWorld {
  const services = new Set(w.services ?? ['gateway-conformance-infra/infra-backend-v1', 'gateway-conformance-infra/infra-backend-v2', 'gateway-conformance-infra/infra-backend-v3']);
  return {
    controllerName,
    classes: w.classes ?? [gatewayClass()],
    gateways: w.gateways ?? [],
    routes: w.routes ?? [],
    grants: w.grants ?? [],
    namespaceLabels: (n) => (w.namespaces ?? { 'gateway-conformance-infra': {}, 'gateway-conformance-web-backend': {}, 'gateway-conformance-app-backend': {} })[n],
    serviceExists: (ns, name) => services.has(`${ns}/${name}`),
    secret: (ns, name) => (w.secrets ?? []).find((s) => s.metadata.namespace === ns && s.metadata.name === name),
    ports: w.ports ?? { HTTP: [80], HTTPS: [443] },
    addresses: w.addresses ?? ['127.240.0.1'],
    now: '2026-12-06T00:00:00Z',
  };
}
