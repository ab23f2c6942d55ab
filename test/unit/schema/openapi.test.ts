import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  openapiV2, openapiV3Doc, openapiV3DocBuilt, openapiV3Root, openapiV3RootBuilt,
} from '../../../src/apiserver/openapi/index.js';
import { served } from './fixture.js';

type Json = Record<string, any>;

function refs(n: unknown, out: string[] = []): string[] {
  if (Array.isArray(n)) for (const x of n) refs(x, out);
  else if (n && typeof n === 'object') for (const [k, v] of Object.entries(n)) (k === '$ref' ? out.push(v as string) : refs(v, out));
  return out;
}
const ops = (doc: Json): [string, string, Json][] =>
  Object.entries(doc.paths as Json).flatMap(([p, item]) =>
    Object.entries(item as Json).filter(([k]) => k !== 'parameters').map(([m, o]) => [p, m, o as Json] as [string, string, Json]));

describe('openapi v3', () => {
  it('root lists every served group-version with its hash', () => {
    const root = openapiV3Root(served) as Json;
    assert.deepEqual(Object.keys(root.paths).sort(), ['api/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1', 'apis/discovery.k8s.io/v1']);
    for (const [gv, { serverRelativeURL }] of Object.entries(root.paths as Record<string, { serverRelativeURL: string }>)) {
      const built = openapiV3DocBuilt(gv, served)!;
      assert.equal(serverRelativeURL, `/openapi/v3/${gv}?hash=${built.hash}`);
      assert.equal(built.hash, createHash('sha512').update(built.json).digest('hex').toUpperCase());
    }
  });

  it('builds once and answers from the cache, also for an equal table in another order', () => {
    assert.equal(openapiV3Doc('api/v1', served), openapiV3Doc('api/v1', served));
    assert.equal(openapiV3Doc('api/v1', [...served].reverse()), openapiV3Doc('api/v1', served));
    assert.equal(openapiV3RootBuilt(served).json, JSON.stringify(openapiV3Root(served)));
    assert.equal(openapiV3Doc('apis/batch/v1', served), undefined);
    assert.equal(openapiV3Doc('/openapi/v3/apis/apps/v1', served), openapiV3Doc('apis/apps/v1', served));
  });

  for (const gv of ['api/v1', 'apis/apps/v1', 'apis/discovery.k8s.io/v1', 'apis/coordination.k8s.io/v1']) {
    it(`${gv}: refs resolve, kinds carry GVKs, PATCH supports fieldValidation and strategic merge`, () => {
      const doc = openapiV3Doc(gv, served) as Json;
      assert.equal(doc.openapi, '3.0.0');
      const schemas = doc.components.schemas as Json;
      for (const r of refs(doc)) assert.ok(schemas[r.replace('#/components/schemas/', '')], `dangling ${r}`);
      // Only the HTTP status words a response needs; no prose copied from upstream.
      const words = new Set([...JSON.stringify(doc).matchAll(/"description":"([^"]*)"/g)].map((m) => m[1]));
      assert.deepEqual([...words].filter((w) => !['OK', 'Created', 'Accepted', 'Unauthorized'].includes(w!)), []);
      const patches = ops(doc).filter(([, m]) => m === 'patch');
      assert.ok(patches.length > 0);
      for (const [p, , o] of patches) {
        assert.ok(o.parameters.some((x: Json) => x.name === 'fieldValidation' && x.in === 'query'), p);
        assert.ok(o.requestBody.content['application/strategic-merge-patch+json'], p);
        const gvk = o['x-kubernetes-group-version-kind'];
        const kindDef = Object.values(schemas).find((s: Json) =>
          (s['x-kubernetes-group-version-kind'] ?? []).some((g: Json) => g.group === gvk.group && g.kind === gvk.kind && g.version === gvk.version));
        assert.ok(kindDef, `no component for ${JSON.stringify(gvk)}`);
      }
    });
  }

  it('api/v1 has the Service paths and operations kubectl expects', () => {
    const doc = openapiV3Doc('api/v1', served) as Json;
    const item = doc.paths['/api/v1/namespaces/{namespace}/services/{name}'];
    assert.deepEqual(Object.keys(item).sort(), ['delete', 'get', 'parameters', 'patch', 'put']);
    assert.equal(item.patch.operationId, 'patchCoreV1NamespacedService');
    assert.deepEqual(item.patch['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Service' });
    assert.equal(doc.paths['/api/v1/namespaces/{namespace}/services'].get['x-kubernetes-action'], 'list');
    assert.ok(doc.paths['/api/v1/services'].get);
    assert.ok(doc.paths['/api/v1/namespaces/{namespace}/services/{name}/status'].patch);
    assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/log'].get);
    assert.ok(doc.paths['/api/v1/nodes/{name}'].get);
    const ports = doc.components.schemas['io.k8s.api.core.v1.ServiceSpec'].properties.ports;
    assert.equal(ports['x-kubernetes-patch-merge-key'], 'port');
    assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['port', 'protocol']);
  });

  it('apps/v1 scale subresources use autoscaling/v1 Scale', () => {
    const doc = openapiV3Doc('apis/apps/v1', served) as Json;
    const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
    assert.deepEqual(scale.patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    assert.ok(doc.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  });
});

describe('openapi v2', () => {
  it('is Swagger 2.0 with resolvable #/definitions refs and body parameters', () => {
    const doc = openapiV2(served) as Json;
    assert.equal(doc.swagger, '2.0');
    for (const r of refs(doc)) {
      assert.ok(r.startsWith('#/definitions/'), r);
      assert.ok(doc.definitions[r.slice('#/definitions/'.length)], `dangling ${r}`);
    }
    const patch = doc.paths['/api/v1/namespaces/{namespace}/services/{name}'].patch;
    assert.equal(patch.parameters[0].in, 'body');
    assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
    assert.ok(patch.parameters.some((p: Json) => p.name === 'fieldValidation' && p.type === 'string'));
    assert.deepEqual(doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], { type: 'string', format: 'int-or-string' });
    assert.equal(openapiV2(served), openapiV2(served));
  });
});
