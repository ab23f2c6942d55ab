// CustomResourceDefinitions served by a running API server: the Gateway API CRDs are accepted and
// become Established, their kinds appear in discovery and are served (CEL rules reject with the
// rule's message, strategic merge patch is refused), a small CRD's status and scale subresources
// and printer columns work, deleting a CRD deletes its objects, and bad input gets 4xx.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { request } from '../e2e/harness.js';
import { LocalClient } from '../../src/apiserver/local-client.js';
import { gatewayCRD, widgetCRD, widget } from '../unit/api/apiextensions/fixtures.js';

const crdBase = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const gw = '/apis/gateway.networking.k8s.io/v1';

async function until<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    // A request may meet a pooled connection the restarted server no longer has: try again.
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('CustomResourceDefinitions served', () => {
  let t: TestApiServer;
  let c: { kubeconfig: string; url: string };
  const req = (method: string, path: string, body?: unknown, contentType?: string) =>
    request(c, method, path, body === undefined ? undefined : JSON.stringify(body), contentType ? { contentType } : {});
  const established = (name: string) =>
    until(`${name} Established`, async () => {
      const r = (await req('GET', `${crdBase}/${name}`)).json();
      return r.status?.conditions?.some((x: { type: string; status: string }) => x.type === 'Established' && x.status === 'True') ? r : undefined;
    });
  before(async () => {
    t = await startTestApiServer({ prefix: 'kubesvc-crd-' });
    c = { kubeconfig: t.kubeconfig, url: t.api.url };
  });
  after(() => t.stop());

  it('accepts the Gateway API CRDs, establishes them and serves their kinds in discovery', async () => {
    for (const p of ['gatewayclasses', 'gateways', 'httproutes', 'referencegrants'] as const) {
      const r = await req('POST', crdBase, gatewayCRD(p));
      assert.equal(r.status, 201, r.body);
    }
    const crd = await established('httproutes.gateway.networking.k8s.io');
    assert.equal(crd.status.acceptedNames.kind, 'HTTPRoute');
    assert.deepEqual(crd.status.conditions.map((x: { type: string }) => x.type), ['NamesAccepted', 'Established']);
    assert.deepEqual(crd.metadata.generation, 1);
    const names = await until('gateway kinds in discovery', async () => {
      const d = await req('GET', gw);
      if (d.status !== 200) return undefined;
      const n = d.json().resources.map((r: { name: string }) => r.name);
      return n.includes('httproutes') && n.includes('gateways') ? n : undefined;
    });
    assert.ok(names.includes('gateways/status'), names.join(','));
    const v3 = (await req('GET', `/openapi/v3/apis/gateway.networking.k8s.io/v1`)).json();
    assert.ok(v3.paths['/apis/gateway.networking.k8s.io/v1/namespaces/{namespace}/httproutes'], Object.keys(v3.paths).join(','));
    const schema = v3.components.schemas['io.k8s.networking.gateway.v1.HTTPRoute'];
    assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', version: 'v1' }]);
    assert.ok(schema.properties.spec.properties.parentRefs, 'the CRD schema is served');
    assert.ok(v3.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'], 'what it refers to is there too');
    const v2 = (await req('GET', '/openapi/v2')).json();
    assert.ok(v2.definitions['io.k8s.networking.gateway.v1.GatewayList']);
    assert.ok(v2.definitions['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition']);
    const table = (await request(c, 'GET', crdBase, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json();
    assert.deepEqual(table.columnDefinitions.map((d: { name: string }) => d.name), ['Name', 'Created At']);
  });

  it('serves Gateways and HTTPRoutes: CEL rejections with the rule message, printer columns, no strategic merge patch', async () => {
    const gateway = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'web' }, spec: { gatewayClassName: 'kubesvc', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } };
    const ok = await req('POST', `${gw}/namespaces/default/gateways`, gateway);
    assert.equal(ok.status, 201, ok.body);
    const dup = structuredClone(gateway);
    dup.metadata.name = 'dup';
    dup.spec.listeners.push({ name: 'http', port: 8080, protocol: 'HTTP' });
    const bad = await req('POST', `${gw}/namespaces/default/gateways`, dup);
    assert.equal(bad.status, 422, bad.body);
    assert.match(bad.json().message, /Listener name must be unique within the Gateway/);
    const wrongType = await req('POST', `${gw}/namespaces/default/gateways`, { ...gateway, metadata: { name: 'wt' }, spec: { gatewayClassName: 7, listeners: [] } });
    assert.equal(wrongType.status, 422, wrongType.body);
    const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' }, spec: { parentRefs: [{ name: 'web' }], rules: [{ backendRefs: [{ name: 'svc', port: 8080 }] }] } };
    const r = await req('POST', `${gw}/namespaces/default/httproutes`, route);
    assert.equal(r.status, 201, r.body);
    const table = (await request(c, 'GET', `${gw}/namespaces/default/httproutes`, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json();
    assert.deepEqual(table.columnDefinitions.map((d: { name: string }) => d.name), ['Name', 'Hostnames', 'Age']);
    const smp = await req('PATCH', `${gw}/namespaces/default/gateways/web`, { metadata: { labels: { a: 'b' } } }, 'application/strategic-merge-patch+json');
    assert.equal(smp.status, 415, smp.body);
    assert.equal(smp.json().message, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
    const merge = await req('PATCH', `${gw}/namespaces/default/gateways/web`, { metadata: { labels: { a: 'b' } } }, 'application/merge-patch+json');
    assert.equal(merge.status, 200, merge.body);
    assert.equal(merge.json().metadata.labels.a, 'b');
  });

  it('serves every served version with conversion None: the same object under each apiVersion', async () => {
    const beta = '/apis/gateway.networking.k8s.io/v1beta1';
    const asBeta = await req('GET', `${beta}/namespaces/default/gateways/web`);
    assert.equal(asBeta.status, 200, asBeta.body);
    const b = asBeta.json();
    assert.equal(b.apiVersion, 'gateway.networking.k8s.io/v1beta1');
    assert.equal(b.spec.gatewayClassName, 'kubesvc');
    const created = await req('POST', `${beta}/namespaces/default/gateways`, {
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'Gateway',
      metadata: { name: 'from-beta' },
      spec: { gatewayClassName: 'kubesvc', listeners: [{ name: 'http', port: 81, protocol: 'HTTP' }] },
    });
    assert.equal(created.status, 201, created.body);
    const asV1 = (await req('GET', `${gw}/namespaces/default/gateways/from-beta`)).json();
    assert.equal(asV1.apiVersion, 'gateway.networking.k8s.io/v1');
    assert.equal(asV1.metadata.uid, created.json().metadata.uid);
    const list = (await req('GET', `${beta}/namespaces/default/gateways`)).json();
    assert.deepEqual(list.items.map((o: { apiVersion: string }) => o.apiVersion), ['gateway.networking.k8s.io/v1beta1', 'gateway.networking.k8s.io/v1beta1']);
    // A watch from the start replays both as ADDED, in the watched version too (it ends after 1 s).
    const watched = await req('GET', `${beta}/namespaces/default/gateways?watch=1&timeoutSeconds=1`);
    const events = watched.body.trim().split('\n').map((l: string) => JSON.parse(l) as { type: string; object: { apiVersion: string } });
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.apiVersion}`), ['ADDED gateway.networking.k8s.io/v1beta1', 'ADDED gateway.networking.k8s.io/v1beta1']);
    assert.equal((await req('DELETE', `${beta}/namespaces/default/gateways/from-beta`)).status, 200);
  });

  it('serves status and scale subresources, and deleting the CRD deletes its objects', async () => {
    const crd = widgetCRD(
      { type: 'object', properties: { replicas: { type: 'integer' }, color: { type: 'string', default: 'blue' } } },
      {
        subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
        additionalPrinterColumns: [{ name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' }],
      },
    );
    crd.spec!.names!.shortNames = ['wd'];
    assert.equal((await req('POST', crdBase, crd)).status, 201);
    await established('widgets.example.com');
    const base = '/apis/example.com/v1/namespaces/default/widgets';
    const made = await until('widgets served', async () => {
      const r = await req('POST', base, { ...widget({ replicas: 1 }), status: { replicas: 9 }, extra: 1 });
      return r.status === 404 ? undefined : r;
    });
    assert.equal(made.status, 201, made.body);
    const w = made.json();
    assert.equal(w.spec.color, 'blue', 'defaulted');
    assert.equal(w.status, undefined, 'status is a subresource');
    assert.equal(w.extra, undefined, 'pruned');
    w.status = { replicas: 3 };
    const st = await req('PUT', `${base}/w1/status`, w);
    assert.equal(st.status, 200, st.body);
    assert.equal(st.json().status.replicas, 3);
    const scale = (await req('GET', `${base}/w1/scale`)).json();
    assert.deepEqual([scale.spec.replicas, scale.status.replicas], [1, 3]);
    const scaled = await req('PATCH', `${base}/w1/scale`, { spec: { replicas: 5 } }, 'application/merge-patch+json');
    assert.equal(scaled.status, 200, scaled.body);
    assert.equal((await req('GET', `${base}/w1`)).json().spec.replicas, 5);
    const table = (await request(c, 'GET', base, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json();
    assert.deepEqual(table.rows[0].cells.slice(0, 2), ['w1', 5]);

    const del = await req('DELETE', `${crdBase}/widgets.example.com`);
    assert.ok([200, 202].includes(del.status), del.body);
    await until('the CRD gone', async () => ((await req('GET', `${crdBase}/widgets.example.com`)).status === 404 ? true : undefined));
    assert.equal((await req('GET', base)).status, 404);
    assert.equal((await t.backend.range('/registry/example.com/widgets/')).kvs.length, 0, 'nothing of the widgets is left in storage');
  });

  it('refuses creates while the CRD is terminating (405) and goes on serving get, list, update and delete', async () => {
    const crd = widgetCRD({ type: 'object', properties: { size: { type: 'integer' } } });
    crd.metadata!.name = 'gizmos.example.com';
    crd.spec!.names = { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo', listKind: 'GizmoList' };
    assert.equal((await req('POST', crdBase, crd)).status, 201);
    await established('gizmos.example.com');
    const base = '/apis/example.com/v1/namespaces/default/gizmos';
    const gizmo = (name: string, finalizers: string[] = []) => ({ apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name, finalizers }, spec: { size: 1 } });
    // A finalizer no controller removes keeps one object, and so the CRD, Terminating.
    const made = await until('gizmos served', async () => {
      const r = await req('POST', base, gizmo('held', ['example.com/hold']));
      return r.status === 404 ? undefined : r;
    });
    assert.equal(made.status, 201, made.body);
    assert.equal((await req('POST', base, gizmo('other'))).status, 201);
    const del = await req('DELETE', `${crdBase}/gizmos.example.com`);
    assert.ok([200, 202].includes(del.status), del.body);
    const refused = await until('creates refused', async () => {
      const r = await req('POST', base, gizmo('late'));
      return r.status === 405 ? r : undefined;
    });
    const status = refused.json();
    assert.equal(status.reason, 'MethodNotAllowed');
    assert.equal(status.message, 'create not allowed while custom resource definition is terminating');
    assert.deepEqual(status.details, { group: 'example.com', kind: 'gizmos' });
    const crdNow = (await req('GET', `${crdBase}/gizmos.example.com`)).json();
    assert.ok(crdNow.status.conditions.some((x: { type: string; status: string }) => x.type === 'Terminating' && x.status === 'True'), JSON.stringify(crdNow.status));
    const held = await req('GET', `${base}/held`);
    assert.equal(held.status, 200, held.body);
    assert.ok(held.json().metadata.deletionTimestamp, 'the finalizer controller asked for its deletion');
    assert.deepEqual((await req('GET', base)).json().items.map((o: { metadata: { name: string } }) => o.metadata.name), ['held']);
    // Releasing the last object lets the CRD go.
    const patched = await req('PATCH', `${base}/held`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
    assert.equal(patched.status, 200, patched.body);
    await until('the CRD gone', async () => ((await req('GET', `${crdBase}/gizmos.example.com`)).status === 404 ? true : undefined));
  });

  it('follows a CRD change, refuses names another CRD holds, and the in-process client refuses strategic merge patch too', async () => {
    const crd = widgetCRD({ type: 'object', properties: { size: { type: 'integer' } } });
    crd.metadata!.name = 'gadgets.example.com';
    crd.spec!.names = { plural: 'gadgets', kind: 'Gadget' };
    const start = Date.now();
    assert.equal((await req('POST', crdBase, crd)).status, 201);
    const base = '/apis/example.com/v1/namespaces/default/gadgets';
    await until('gadgets served', async () => ((await req('GET', base)).status === 200 ? true : undefined));
    const served = Date.now() - start;
    assert.ok(served < 1000, `served ${served} ms after create`);
    assert.equal((await req('POST', base, { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, spec: { size: 2 } })).status, 201);
    // A printer column added by an update is in the next table.
    const cur = (await req('GET', `${crdBase}/gadgets.example.com`)).json();
    cur.spec.versions[0].additionalPrinterColumns = [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }];
    const upd = await req('PUT', `${crdBase}/gadgets.example.com`, cur);
    assert.equal(upd.status, 200, upd.body);
    assert.equal(upd.json().metadata.generation, 2);
    const cols = await until('the new column', async () => {
      const tb = (await request(c, 'GET', base, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json();
      const names = tb.columnDefinitions.map((d: { name: string }) => d.name);
      return names.includes('Size') ? tb : undefined;
    });
    assert.deepEqual(cols.rows[0].cells, ['g', 2]);
    // Another CRD of the group asking for the plural "gadgets" as its short name does not get it.
    const other = widgetCRD();
    other.metadata!.name = 'doohickeys.example.com';
    other.spec!.names = { plural: 'doohickeys', kind: 'Doohickey', shortNames: ['gadgets'] };
    assert.equal((await req('POST', crdBase, other)).status, 201);
    const refused = await until('NamesAccepted False', async () => {
      const o = (await req('GET', `${crdBase}/doohickeys.example.com`)).json();
      return o.status?.conditions?.length ? o : undefined;
    });
    const byType = Object.fromEntries(refused.status.conditions.map((x: { type: string }) => [x.type, x]));
    assert.deepEqual([byType.NamesAccepted.status, byType.NamesAccepted.reason, byType.NamesAccepted.message], ['False', 'ShortNamesConflict', '"gadgets" is already in use']);
    assert.equal(byType.Established.status, 'False');
    assert.equal((await req('GET', '/apis/example.com/v1/namespaces/default/doohickeys')).status, 404);
    const client = new LocalClient(t.api);
    const ref = { group: 'example.com', version: 'v1', resource: 'gadgets', kind: 'Gadget', namespaced: true };
    await assert.rejects(client.patch(ref, 'default', 'g', 'strategic', { spec: { size: 3 } }), (e: { code?: number }) => e.code === 415);
    assert.equal((await client.patch(ref, 'default', 'g', 'merge', { spec: { size: 3 } }) as unknown as { spec: { size: number } }).spec.size, 3);
  });

  it('serves the CRDs it stored again after a restart', async () => {
    const port = t.api.port;
    await t.api.stop();
    t.api = t.newApi(port);
    await t.api.start();
    const got = await until('gadgets served after restart', async () => {
      const r = await req('GET', '/apis/example.com/v1/namespaces/default/gadgets/g');
      return r.status === 200 ? r.json() : undefined;
    });
    assert.equal(got.spec.size, 3);
  });

  it('answers bad CRDs with 422 and stays up', async () => {
    const crd = widgetCRD({ type: 'object', properties: { x: {} } });
    crd.metadata!.name = 'wrong.example.com';
    const r = await req('POST', crdBase, crd);
    assert.equal(r.status, 422, r.body);
    assert.match(r.json().message, /must be spec.names.plural\+"."\+spec.group/);
    assert.match(r.json().message, /spec.versions\[0\].schema.openAPIV3Schema.properties\[spec\].properties\[x\].type: Required value: must not be empty for specified object fields/);
    const nul = await req('POST', crdBase, { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'a.b.c' }, spec: null });
    assert.ok(nul.status >= 400 && nul.status < 500, nul.body);
    assert.equal((await req('GET', '/healthz')).status, 200);
  });
});
