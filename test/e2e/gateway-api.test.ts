// The Gateway API as `kubesvc up` installs it: the v1.6.1 standard-channel CRDs, GatewayClass
// `kubesvc` (controller kubesvc.io/gateway-controller) served by the ingress controller's pod.
// Scenarios from the Gateway API conformance suite's GATEWAY-HTTP core profile, driven as a user
// would: kubectl apply of Gateways, HTTPRoutes and ReferenceGrants, statuses read back with
// kubectl, and HTTP(S) requests to the Gateway's address answered by the conformance echo server
// (gcr.io/k8s-staging-gateway-api/echo-basic, a built-in image), which says what it received.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { kubectl, kubectlBin, kubectlOk, startCluster, until, type Cluster } from './harness.js';

interface Answer {
  status: number;
  location?: string;
  /** The echo server's account of the request, when it answered. */
  echo?: { path: string; host: string; method: string; headers: Record<string, string[]>; pod: string; namespace: string };
  headers: Record<string, string | string[] | undefined>;
  error?: string;
}

function send(ip: string, port: number, path: string, host: string, opts: { method?: string; headers?: Record<string, string>; tls?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const request = opts.tls ? httpsRequest : httpRequest;
    const req = request(
      { host: ip, port, path, method: opts.method ?? 'GET', headers: { host, ...(opts.headers ?? {}) }, agent: false, timeout: 3000, ...(opts.tls ? { servername: host, rejectUnauthorized: false } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          let echo: Answer['echo'];
          try {
            echo = JSON.parse(body);
          } catch {
            echo = undefined;
          }
          const cn = opts.tls ? String((res.socket as TLSSocket).getPeerCertificate?.()?.subject?.CN ?? '') : '';
          resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}), ...(echo?.pod ? { echo } : {}), headers: { ...res.headers, ...(cn ? { 'x-test-cn': cn } : {}) } });
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ status: 0, headers: {}, error: e.code ?? e.message }));
    req.end();
  });
}

const ns = 'gateway-conformance-infra';
const backend = (name: string, namespace = ns) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: echo
        image: gcr.io/k8s-staging-gateway-api/echo-basic:v20240412-v1.0.0-394-g40c666fd
        env:
        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
        readinessProbe: {httpGet: {path: /, port: 3000}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {app: ${name}}
  ports: [{protocol: TCP, port: 8080, targetPort: 3000}]
`;

const condition = (c: Cluster, args: string[], jsonpath: string) => kubectl(c, ['get', ...args, '-o', `jsonpath=${jsonpath}`]).stdout;

describe('the Gateway API (GatewayClass kubesvc)', () => {
  let c: Cluster;
  let lb = '';
  let port = 0;
  let httpsPort = 0;
  before(async () => {
    c = await startCluster({ ingress: true });
    kubectlOk(c, ['create', 'namespace', ns]);
    kubectlOk(c, ['create', 'namespace', 'gateway-conformance-web-backend']);
    kubectlOk(c, ['apply', '-f', '-'], [backend('infra-backend-v1'), backend('infra-backend-v2'), backend('web-backend', 'gateway-conformance-web-backend')].join('---\n'));
  });
  after(async () => {
    await c?.destroy();
  });

  it('installs the standard-channel CRDs and an Accepted GatewayClass kubesvc, served by the ingress controller pod', async () => {
    for (const crd of ['gatewayclasses', 'gateways', 'httproutes', 'referencegrants']) {
      const v = await until(`CRD ${crd}`, () => condition(c, ['crd', `${crd}.gateway.networking.k8s.io`], '{.metadata.annotations.gateway\\.networking\\.k8s\\.io/bundle-version}'), (x) => x !== '', 20_000);
      assert.equal(v, 'v1.6.1');
    }
    await until('GatewayClass kubesvc Accepted', () => condition(c, ['gatewayclass', 'kubesvc'], '{.status.conditions[?(@.type=="Accepted")].status}'), (s) => s === 'True', 30_000);
    assert.equal(kubectlOk(c, ['get', 'gatewayclass', 'kubesvc', '-o', 'jsonpath={.spec.controllerName}']), 'kubesvc.io/gateway-controller');
    lb = await until('the data plane address', () => condition(c, ['svc', '-n', 'kube-system', 'kubesvc-ingress'], '{.status.loadBalancer.ingress[0].ip}'), (ip) => ip.startsWith(c.plan.lbPrefix), 30_000);
    port = Number(kubectlOk(c, ['get', 'svc', '-n', 'kube-system', 'kubesvc-ingress', '-o', 'jsonpath={.spec.ports[?(@.name=="http")].port}']));
    httpsPort = Number(kubectlOk(c, ['get', 'svc', '-n', 'kube-system', 'kubesvc-ingress', '-o', 'jsonpath={.spec.ports[?(@.name=="https")].port}']));
  });

  it('a Gateway is Accepted and Programmed with the data plane address; an HTTPRoute attaches and routes by path, header and query', async () => {
    kubectlOk(c, ['apply', '-f', '-'], `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: same-namespace, namespace: ${ns}}
spec:
  gatewayClassName: kubesvc
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}
  - {name: odd-port, port: 8081, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: matching, namespace: ${ns}}
spec:
  parentRefs: [{name: same-namespace, sectionName: http}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: Exact, value: /v2}}, {headers: [{name: version, value: two}]}, {queryParams: [{name: animal, value: whale}]}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /add-header}}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: X-Header-Set, value: set-overwrites-values}]
        add: [{name: X-Header-Add, value: add-appends-values}]
        remove: [X-Header-Remove]
    - type: ResponseHeaderModifier
      responseHeaderModifier: {set: [{name: X-Response-Set, value: set}]}
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /prefix/one}}]
    filters: [{type: URLRewrite, urlRewrite: {hostname: one.example.org, path: {type: ReplacePrefixMatch, replacePrefixMatch: /one}}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /redirect}}]
    filters: [{type: RequestRedirect, requestRedirect: {scheme: https, hostname: example.org, statusCode: 301}}]
`);
    const gw = ['gateway', '-n', ns, 'same-namespace'];
    await until('the Gateway Programmed', () => condition(c, gw, '{.status.conditions[?(@.type=="Programmed")].status}'), (s) => s === 'True', 20_000);
    assert.equal(condition(c, gw, '{.status.addresses[0].value}'), lb);
    assert.equal(condition(c, gw, '{.status.conditions[?(@.type=="Accepted")].reason}'), 'ListenersNotValid');
    assert.equal(condition(c, gw, '{.status.listeners[?(@.name=="odd-port")].conditions[?(@.type=="Accepted")].reason}'), 'PortUnavailable');
    await until('one route attached to listener http', () => condition(c, gw, '{.status.listeners[?(@.name=="http")].attachedRoutes}'), (n) => n === '1', 10_000);
    const route = ['httproute', '-n', ns, 'matching'];
    assert.equal(condition(c, route, '{.status.parents[0].controllerName}'), 'kubesvc.io/gateway-controller');
    assert.equal(condition(c, route, '{.status.parents[0].conditions[?(@.type=="Accepted")].status}'), 'True');
    assert.equal(condition(c, route, '{.status.parents[0].conditions[?(@.type=="ResolvedRefs")].status}'), 'True');
    // kubectl prints Gateways with the CRD's columns.
    assert.match(kubectlOk(c, ['get', 'gateway', '-n', ns]), new RegExp(`same-namespace\\s+kubesvc\\s+${lb.replace(/\./g, '\\.')}\\s+True`));

    await until('the route served', () => send(lb, port, '/', 'any.example'), (a) => a.echo?.pod.startsWith('infra-backend-v1-') === true, 20_000);
    const cases: [string, Record<string, string>, string][] = [
      ['/', {}, 'infra-backend-v1'],
      ['/v2', {}, 'infra-backend-v2'],
      ['/v2/', {}, 'infra-backend-v1'], // Exact is exact
      ['/anything', { version: 'two' }, 'infra-backend-v2'],
      ['/anything?animal=whale', {}, 'infra-backend-v2'],
      ['/anything?animal=dolphin', {}, 'infra-backend-v1'],
    ];
    for (const [path, headers, want] of cases) {
      const a = await send(lb, port, path, 'any.example', { headers });
      assert.equal(a.status, 200, path);
      assert.ok(a.echo!.pod.startsWith(`${want}-`), `${path} ${JSON.stringify(headers)} went to ${a.echo!.pod}`);
      assert.equal(a.echo!.path, path);
    }
    const mod = await send(lb, port, '/add-header', 'any.example', { headers: { 'X-Header-Set': 'old', 'X-Header-Add': 'something', 'X-Header-Remove': 'gone' } });
    assert.deepEqual(mod.echo!.headers['X-Header-Set'], ['set-overwrites-values']);
    assert.deepEqual(mod.echo!.headers['X-Header-Add'], ['something,add-appends-values']);
    assert.equal(mod.echo!.headers['X-Header-Remove'], undefined);
    assert.equal(mod.headers['x-response-set'], 'set');
    const rw = await send(lb, port, '/prefix/one/two?x=1', 'any.example');
    assert.equal(rw.echo!.path, '/one/two?x=1');
    assert.equal(rw.echo!.host, 'one.example.org');
    const redirect = await send(lb, port, '/redirect/x?y=1', 'any.example');
    assert.equal(redirect.status, 301);
    assert.equal(redirect.location, 'https://example.org/redirect/x?y=1');
  });

  it('a backend in another namespace needs a ReferenceGrant: 500 and RefNotPermitted without, served with', async () => {
    kubectlOk(c, ['apply', '-f', '-'], `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: cross, namespace: ${ns}}
spec:
  parentRefs: [{name: same-namespace}]
  hostnames: [cross.example]
  rules:
  - backendRefs: [{name: web-backend, namespace: gateway-conformance-web-backend, port: 8080}]
`);
    const route = ['httproute', '-n', ns, 'cross'];
    await until('RefNotPermitted', () => condition(c, route, '{.status.parents[0].conditions[?(@.type=="ResolvedRefs")].reason}'), (r) => r === 'RefNotPermitted', 10_000);
    assert.equal(condition(c, route, '{.status.parents[0].conditions[?(@.type=="Accepted")].status}'), 'True');
    await until('500 for the invalid backend', () => send(lb, port, '/', 'cross.example'), (a) => a.status === 500, 10_000);
    kubectlOk(c, ['apply', '-f', '-'], `apiVersion: gateway.networking.k8s.io/v1
kind: ReferenceGrant
metadata: {name: allow-infra-routes, namespace: gateway-conformance-web-backend}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: ${ns}}]
  to: [{group: "", kind: Service, name: web-backend}]
`);
    await until('ResolvedRefs', () => condition(c, route, '{.status.parents[0].conditions[?(@.type=="ResolvedRefs")].status}'), (s) => s === 'True', 10_000);
    const a = await until('served by web-backend', () => send(lb, port, '/', 'cross.example'), (x) => x.status === 200, 10_000);
    assert.equal(a.echo!.namespace, 'gateway-conformance-web-backend');
    // A route from another namespace is not allowed on a listener that admits the same namespace only.
    kubectlOk(c, ['apply', '-f', '-'], `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: foreign, namespace: gateway-conformance-web-backend}
spec:
  parentRefs: [{name: same-namespace, namespace: ${ns}}]
  rules: [{backendRefs: [{name: web-backend, port: 8080}]}]
`);
    await until('NotAllowedByListeners', () => condition(c, ['httproute', '-n', 'gateway-conformance-web-backend', 'foreign'], '{.status.parents[0].conditions[?(@.type=="Accepted")].reason}'), (r) => r === 'NotAllowedByListeners', 10_000);
  });

  it('an HTTPS listener terminates TLS with its certificateRefs Secret, by SNI; a missing Secret is InvalidCertificateRef', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesvc-gateway-tls-'));
    try {
      const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=secure.example', '-addext', 'subjectAltName=DNS:secure.example', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { encoding: 'utf8' });
      assert.equal(gen.status, 0, gen.stderr);
      kubectlOk(c, ['create', 'secret', 'tls', 'tls-validity-checks-certificate', '-n', ns, '--cert', join(dir, 'tls.crt'), '--key', join(dir, 'tls.key')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    kubectlOk(c, ['apply', '-f', '-'], `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: secure, namespace: ${ns}}
spec:
  gatewayClassName: kubesvc
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    hostname: secure.example
    tls: {certificateRefs: [{name: tls-validity-checks-certificate}]}
  - name: broken
    port: 443
    protocol: HTTPS
    hostname: broken.example
    tls: {certificateRefs: [{name: does-not-exist}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: secure, namespace: ${ns}}
spec:
  parentRefs: [{name: secure}]
  rules: [{backendRefs: [{name: infra-backend-v2, port: 8080}]}]
`);
    const gw = ['gateway', '-n', ns, 'secure'];
    await until('listener broken: InvalidCertificateRef', () => condition(c, gw, '{.status.listeners[?(@.name=="broken")].conditions[?(@.type=="ResolvedRefs")].reason}'), (r) => r === 'InvalidCertificateRef', 10_000);
    assert.equal(condition(c, gw, '{.status.listeners[?(@.name=="https")].conditions[?(@.type=="Programmed")].status}'), 'True');
    const a = await until('HTTPS served', () => send(lb, httpsPort, '/', 'secure.example', { tls: true }), (x) => x.status === 200, 10_000);
    assert.equal(a.headers['x-test-cn'], 'secure.example');
    assert.ok(a.echo!.pod.startsWith('infra-backend-v2-'));
  });

  it('weights split traffic, and a change is served with no failed request while a backend rolls', async (t) => {
    kubectlOk(c, ['apply', '-f', '-'], `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: weighted, namespace: ${ns}}
spec:
  parentRefs: [{name: same-namespace}]
  hostnames: [weights.example]
  rules:
  - backendRefs:
    - {name: infra-backend-v1, port: 8080, weight: 70}
    - {name: infra-backend-v2, port: 8080, weight: 30}
`);
    await until('the weighted route', () => send(lb, port, '/', 'weights.example'), (a) => a.status === 200, 10_000);
    await until('its status written', () => condition(c, ['httproute', '-n', ns, 'weighted'], '{.status.parents[0].conditions[?(@.type=="Accepted")].status}'), (s) => s === 'True', 10_000);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const a = await send(lb, port, '/', 'weights.example');
      const b = a.echo?.pod.replace(/-[^-]+-[^-]+$/, '') ?? `status ${a.status}`;
      counts[b] = (counts[b] ?? 0) + 1;
    }
    // Exactly 70/30 from one configuration; a status write in between rebuilds the router and restarts the rotation.
    assert.deepEqual(Object.keys(counts).sort(), ['infra-backend-v1', 'infra-backend-v2']);
    assert.ok(counts['infra-backend-v1']! >= 65 && counts['infra-backend-v1']! <= 75, JSON.stringify(counts));

    // Load through the route while infra-backend-v1 rolls and routes are added and changed.
    const k = (args: string[]) => promisify(execFile)(kubectlBin, ['--kubeconfig', c.kubeconfig, ...args]);
    let stop = false;
    let sent = 0;
    const failures: string[] = [];
    const worker = async () => {
      for (let i = 0; !stop && i < 5000; i++) {
        const a = await send(lb, port, '/', 'weights.example');
        sent++;
        if (a.status !== 200) failures.push(`${a.status} ${a.error ?? ''}`);
      }
    };
    const load = Promise.all([worker(), worker(), worker()]);
    try {
      await k(['rollout', 'restart', 'deployment', '-n', ns, 'infra-backend-v1']);
      for (let i = 0; i < 3; i++) await k(['patch', 'httproute', '-n', ns, 'weighted', '--type=merge', '-p', `{"metadata":{"annotations":{"round":"${i}"}},"spec":{"hostnames":["weights.example","w${i}.example"]}}`]);
      await k(['rollout', 'status', 'deployment', '-n', ns, 'infra-backend-v1', '--timeout=60s']);
    } finally {
      stop = true;
      await load;
    }
    t.diagnostic(`${sent} requests during the rollout and the route changes, ${failures.length} failed`);
    assert.ok(sent > 100, `only ${sent} requests`);
    assert.deepEqual(failures.slice(0, 10), []);
    assert.equal((await send(lb, port, '/', 'w2.example')).status, 200, 'the last change is served');
  });
});
