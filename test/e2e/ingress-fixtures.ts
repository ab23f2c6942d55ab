// What the ingress tests in loopback mode (ingress-controller.test.ts) and netns mode
// (netns-mode.test.ts) share: the conformance suite's scenarios (kubernetes-sigs/
// ingress-controller-conformance, features/path_rules, host_rules) as two apps behind one Ingress,
// and the requests with what each must get.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { kubectlOk, type Cluster } from './harness.js';

/** A Deployment of agnhost serve-hostname pods (9376) and its Service (http, 80). */
export const app = (name: string, replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: web
        image: registry.k8s.io/e2e-test-images/agnhost:2.39
        args: [serve-hostname]
        readinessProbe: {httpGet: {path: /, port: 9376}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  selector: {app: ${name}}
  ports: [{name: http, port: 80, targetPort: 9376}]
`;

export const ingress = (extraPaths = '') => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: foo.example
    http:
      paths:
      - {path: /a, pathType: Prefix, backend: {service: {name: a, port: {number: 80}}}}
      - {path: /b, pathType: Exact, backend: {service: {name: b, port: {name: http}}}}
${extraPaths}  - host: "*.bar.example"
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: b, port: {number: 80}}}}
`;

/** [path, Host header, what "<status> <body>" must match]: path and host rules as the Ingress specification states them. */
export const hostPathCases: [string, string | undefined, RegExp][] = [
  ['/a', 'foo.example', /^200 a-/],
  ['/a/', 'foo.example', /^200 a-/],
  ['/a/x/y', 'foo.example', /^200 a-/],
  ['/ab', 'foo.example', /^404 /], // Prefix matches whole path elements
  ['/b', 'foo.example', /^200 b-/],
  ['/b/', 'foo.example', /^404 /], // Exact is exact
  ['/b/x', 'foo.example', /^404 /],
  ['/a', 'FOO.example:80', /^200 a-/], // host case and port ignored
  ['/anything', 'x.bar.example', /^200 b-/], // one-label wildcard
  ['/anything', 'y.x.bar.example', /^404 /], // not two labels
  ['/anything', 'bar.example', /^404 /],
  ['/a', undefined, /^404 /],
];

/** A kubernetes.io/tls Secret with a fresh self-signed certificate for `host`. */
export function makeTLSSecret(c: Cluster, name: string, host: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-ingress-tls-'));
  try {
    const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`, '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { encoding: 'utf8' });
    assert.equal(gen.status, 0, gen.stderr);
    kubectlOk(c, ['create', 'secret', 'tls', name, '--cert', join(dir, 'tls.crt'), '--key', join(dir, 'tls.key')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An Ingress for `host` over TLS from the Secret `secret`, to Service `backend` port 80. */
export const tlsIngress = (name: string, host: string, secret: string, backend: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}}
spec:
  tls: [{hosts: [${host}], secretName: ${secret}}]
  rules:
  - host: ${host}
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: ${backend}, port: {number: 80}}}}]}
`;

/** Gateway `gw` of class kubesvc (HTTP on 80) and HTTPRoute `web` for gw.example to `service`:`port`, optionally only under a path prefix. */
export const gatewayAndRoute = (service: string, port: number, pathPrefix?: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: kubesvc
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web}
spec:
  parentRefs: [{name: gw}]
  hostnames: [gw.example]
  rules: [{${pathPrefix ? `matches: [{path: {type: PathPrefix, value: ${pathPrefix}}}], ` : ''}backendRefs: [{name: ${service}, port: ${port}}]}]
`;
