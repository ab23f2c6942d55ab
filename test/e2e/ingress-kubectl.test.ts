// Ingress and IngressClass through kubectl 1.32 against a real `kubesvc up`: `kubectl create
// ingress`, get and describe with upstream's columns, the default-class admission, and invalid
// objects refused with upstream's words.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, kubectl, kubectlOk, type Cluster } from './harness.js';

describe('Ingress and IngressClass with kubectl', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('kubectl create ingress; get and describe show hosts, class and backends', () => {
    kubectlOk(c, ['create', 'ingress', 'simple', '--class=other', '--rule=foo.com/bar=svc1:8080,tls=my-cert', '--rule=bar.com/*=svc2:http']);
    const ing = JSON.parse(kubectlOk(c, ['get', 'ingress', 'simple', '-o', 'json']));
    assert.equal(ing.spec.ingressClassName, 'other');
    assert.deepEqual(ing.spec.rules[0].http.paths[0], { path: '/bar', pathType: 'Exact', backend: { service: { name: 'svc1', port: { number: 8080 } } } });
    assert.deepEqual(ing.spec.rules[1].http.paths[0], { path: '/', pathType: 'Prefix', backend: { service: { name: 'svc2', port: { name: 'http' } } } });
    assert.deepEqual(ing.spec.tls, [{ hosts: ['foo.com'], secretName: 'my-cert' }]);
    assert.equal(ing.metadata.generation, 1);
    assert.match(kubectlOk(c, ['get', 'ing', 'simple']), /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\nsimple\s+other\s+foo\.com,bar\.com\s+80, 443\s+\d+s\n$/);
    const described = kubectlOk(c, ['describe', 'ingress', 'simple']);
    assert.match(described, /Ingress Class:\s+other/);
    assert.match(described, /my-cert terminates foo\.com/);
    assert.match(described, /foo\.com\s*\n\s+\/bar\s+svc1:8080 \(/);
  });

  it('an Ingress naming no class gets the default IngressClass; two defaults refuse it', () => {
    // `up` installs kubesvc as the default class.
    assert.match(kubectlOk(c, ['get', 'ingressclass']), /\nkubesvc\s+kubesvc\.io\/ingress\s+<none>\s+\d+/);
    kubectlOk(c, ['create', 'ingress', 'defaulted', '--rule=/=web:80']);
    assert.equal(kubectlOk(c, ['get', 'ing', 'defaulted', '-o', 'jsonpath={.spec.ingressClassName}']), 'kubesvc');
    kubectlOk(c, ['create', '-f', '-'], JSON.stringify({
      apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
      metadata: { name: 'second', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'example.com/second' },
    }));
    const r = kubectl(c, ['create', 'ingress', 'refused', '--rule=/=web:80']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ingresses\.networking\.k8s\.io "refused" is forbidden: Internal error occurred: 2 default IngressClasses were found, only 1 allowed/);
    kubectlOk(c, ['delete', 'ingressclass', 'second']);
  });

  it('kubectl explain reads the served schema; apply --server-side creates and changes an Ingress', () => {
    assert.match(kubectlOk(c, ['explain', 'ingress.spec.rules.http.paths']), /pathType\s+<string>/);
    const manifest = (path: string) => JSON.stringify({
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'applied' },
      spec: { rules: [{ host: 'a.example.com', http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    });
    kubectlOk(c, ['apply', '--server-side', '-f', '-'], manifest('/a'));
    kubectlOk(c, ['apply', '--server-side', '-f', '-'], manifest('/b'));
    const ing = JSON.parse(kubectlOk(c, ['get', 'ing', 'applied', '-o', 'json']));
    assert.equal(ing.spec.rules[0].http.paths[0].path, '/b');
    assert.equal(ing.metadata.generation, 2);
    assert.equal(ing.spec.ingressClassName, 'kubesvc');
  });

  it('refuses invalid Ingresses with upstream field errors', () => {
    const r = kubectl(c, ['create', '-f', '-'], JSON.stringify({
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'bad' },
      spec: { rules: [{ host: '*', http: { paths: [{ path: 'rel', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Ingress "bad" is invalid: \n\* spec\.rules\[0\]\.host: Invalid value: "\*": a wildcard DNS-1123 subdomain must start with '\*\.'/);
    assert.match(r.stderr, /spec\.rules\[0\]\.http\.paths\[0\]\.path: Invalid value: "rel": must be an absolute path/);
  });
});
