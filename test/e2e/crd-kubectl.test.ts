// CustomResourceDefinitions end to end with kubectl 1.32 against `kubesvc up`: the Gateway API
// v1.6.1 CRDs apply and become Established, their kinds list with printer columns, a CEL rule
// rejects with its message, a small CRD's printer columns, status and scale subresources work
// (`kubectl scale`), `kubectl explain` reads the CRD's schema (and the CRD kind's own), and deleting
// the CRD deletes its objects.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { kubectl, kubectlOk, root, startCluster, type Cluster } from './harness.js';

const fixtures = join(root, 'manifests', 'gateway-api');

const widgets = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [all]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    additionalPrinterColumns:
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Color, type: string, jsonPath: .spec.color}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: What the widget should be.
            properties:
              replicas: {type: integer, minimum: 0}
              color: {type: string, default: blue, description: The widget's colour.}
          status:
            type: object
            properties:
              replicas: {type: integer}
`;

describe('CRDs with kubectl', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('applies the Gateway API CRDs, which become Established and list with their columns', () => {
    kubectlOk(c, ['apply', '-f', fixtures]);
    kubectlOk(c, ['wait', '--for=condition=Established', '--timeout=10s', 'crd', '--all']);
    const crds = kubectlOk(c, ['get', 'crd']);
    assert.match(crds, /^NAME\s+CREATED AT$/m);
    assert.match(crds, /^httproutes\.gateway\.networking\.k8s\.io\s+\d{4}-\d\d-\d\dT/m);
    kubectlOk(c, ['apply', '-f', '-'], `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: default}
spec:
  gatewayClassName: kubesvc
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: route, namespace: default}
spec:
  parentRefs: [{name: web}]
  hostnames: [www.example.com]
  rules: [{backendRefs: [{name: svc, port: 8080}]}]
`);
    const got = kubectlOk(c, ['get', 'gatewayclasses,gateways,httproutes']);
    assert.match(got, /^NAME\s+CLASS\s+ADDRESS\s+PROGRAMMED\s+AGE$/m);
    assert.match(got, /^gateway\.gateway\.networking\.k8s\.io\/web\s+kubesvc\s/m);
    assert.match(got, /^NAME\s+HOSTNAMES\s+AGE$/m);
    assert.match(got, /^httproute\.gateway\.networking\.k8s\.io\/route\s+\["www\.example\.com"\]\s/m);
  });

  it('rejects an HTTPRoute its CEL rules forbid, with the rule message', () => {
    const r = kubectl(c, ['apply', '-f', '-'], `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad, namespace: default}
spec:
  rules:
  - matches: [{path: {type: PathPrefix, value: /foo}}]
    filters:
    - type: URLRewrite
      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /bar}}
    - type: URLRewrite
      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /baz}}
`);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /is invalid/);
    assert.match(r.stderr, /URLRewrite filter cannot be repeated/);
  });

  it('explains the CRD kind itself from its published OpenAPI (kubectl explain crd.spec)', () => {
    const spec = kubectlOk(c, ['explain', 'crd.spec']);
    assert.match(spec, /^GROUP:\s+apiextensions\.k8s\.io$/m);
    assert.match(spec, /^KIND:\s+CustomResourceDefinition$/m);
    assert.match(spec, /^\s+versions\s+<\[\]CustomResourceDefinitionVersion> -required-$/m);
    assert.match(spec, /^\s+scope\s+<string> -required-$/m);
    const rule = kubectlOk(c, ['explain', 'crd.spec.versions.schema.openAPIV3Schema.x-kubernetes-validations']);
    for (const f of ['rule', 'message', 'messageExpression', 'reason', 'fieldPath', 'optionalOldSelf']) assert.match(rule, new RegExp(`^\\s+${f}\\s+<`, 'm'), rule);
  });

  it('serves a CRD with printer columns, status and scale, explains it, and deleting it deletes its objects', () => {
    kubectlOk(c, ['apply', '-f', '-'], widgets);
    kubectlOk(c, ['wait', '--for=condition=Established', '--timeout=10s', 'crd/widgets.example.com']);
    kubectlOk(c, ['apply', '-f', '-'], 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: default}\nspec: {replicas: 1}\n');
    kubectlOk(c, ['scale', 'widget/w1', '--replicas=4']);
    const table = kubectlOk(c, ['get', 'wd']);
    assert.match(table, /^NAME\s+REPLICAS\s+COLOR$/m);
    assert.match(table, /^w1\s+4\s+blue$/m);
    const wrong = kubectl(c, ['apply', '-f', '-'], 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2, namespace: default}\nspec: {replicas: "many"}\n');
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer: "string"/);
    const explain = kubectlOk(c, ['explain', 'widgets.spec.color']);
    assert.match(explain, /The widget's colour\./);
    kubectlOk(c, ['delete', 'crd', 'widgets.example.com', '--timeout=20s']);
    const gone = kubectl(c, ['get', 'crd', 'widgets.example.com']);
    assert.match(gone.stderr, /NotFound/);
    // Created again, the kind starts empty: the old objects went with the CRD.
    kubectlOk(c, ['apply', '-f', '-'], widgets);
    kubectlOk(c, ['wait', '--for=condition=Established', '--timeout=10s', 'crd/widgets.example.com']);
    const after = kubectl(c, ['get', 'widgets', '-A', '-o', 'name']);
    assert.equal(after.stdout.trim(), '', after.stderr);
  });
});
