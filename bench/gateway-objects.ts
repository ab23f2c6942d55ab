// The Gateway API objects the custom resource benchmarks create: valid under every CEL rule of
// the v1.6.1 standard-channel CRDs (manifests/gateway-api/), distinct per index.

export function httpRoute(i: number): Record<string, unknown> {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: `route-${i}`, namespace: 'default' },
    spec: {
      parentRefs: [{ name: 'web' }],
      hostnames: [`app-${i}.example.com`],
      rules: [
        { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: `api-${i}`, port: 8080 }], timeouts: { request: '10s', backendRequest: '5s' } },
        { filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-app', value: 'a' }] } }], backendRefs: [{ name: `web-${i}`, port: 80 }] },
      ],
    },
  };
}

export function gateway(i: number): Record<string, unknown> {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: `gw-${i}`, namespace: 'default' },
    spec: {
      gatewayClassName: 'kubesvc',
      listeners: [
        { name: 'http', port: 80, protocol: 'HTTP' },
        { name: 'https', port: 443, protocol: 'HTTPS', hostname: '*.example.com', tls: { mode: 'Terminate', certificateRefs: [{ name: 'cert' }] } },
      ],
    },
  };
}
