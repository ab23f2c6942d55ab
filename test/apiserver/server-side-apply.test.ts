// Server-side apply over real HTTPS against an in-process API server: apply creates and
// updates, managedFields for every write (create, update, patch, status), conflicts answered
// 409 naming the field and manager, force, removal of fields an applier stops applying, dry run,
// and hostile apply bodies answered with upstream's 4xx while the server keeps serving.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { request, type HttpResult } from '../e2e/harness.js';

const SVC = '/api/v1/namespaces/default/services';
const APPLY = 'application/apply-patch+yaml';
const MERGE = 'application/merge-patch+json';

const svcYaml = (name: string, extra = '', ports = '  - name: http\n    port: 80\n    targetPort: 8080\n') =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  labels:\n    app: ${name}\nspec:\n  selector:\n    app: ${name}\n  ports:\n${ports}${extra}`;

describe('server-side apply (HTTP)', () => {
  let s: TestApiServer;
  const t = { url: '', kubeconfig: '' };
  const call = (method: string, path: string, body?: string, contentType?: string, userAgent?: string): Promise<HttpResult> =>
    request(t, method, path, body, { ...(contentType ? { contentType } : {}), ...(userAgent ? { userAgent } : {}) });
  const apply = (name: string, body: string, query = 'fieldManager=kubectl') => call('PATCH', `${SVC}/${name}?${query}`, body, APPLY);
  const get = async (name: string) => (await call('GET', `${SVC}/${name}`)).json();
  const managers = (o: any) => (o.metadata.managedFields ?? []).map((e: any) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`);

  before(async () => {
    s = await startTestApiServer();
    t.url = s.api.url;
    t.kubeconfig = s.kubeconfig;
  });
  after(async () => {
    await s?.stop();
  });

  it('creates with 201 and records an Apply entry exactly as upstream writes it; applying again changes nothing', async () => {
    const r = await apply('web', svcYaml('web'));
    assert.equal(r.status, 201, r.body);
    const o = r.json();
    assert.deepEqual(managers(o), ['kubectl/Apply']);
    const e = o.metadata.managedFields[0];
    assert.equal(e.apiVersion, 'v1');
    assert.equal(e.fieldsType, 'FieldsV1');
    assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(
      JSON.stringify(e.fieldsV1),
      '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:ports":{"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:name":{},"f:port":{},"f:targetPort":{}}},"f:selector":{}}}',
    );
    // The object went through the ordinary create path: defaults and a ClusterIP.
    assert.equal(o.spec.ports[0].protocol, 'TCP');
    assert.ok(o.spec.clusterIP);
    const again = await apply('web', svcYaml('web'));
    assert.equal(again.status, 200, again.body);
    assert.equal(again.json().metadata.resourceVersion, o.metadata.resourceVersion, 'an identical apply is not a write');
  });

  it('records every other write as an Update by its manager (fieldManager, else the user agent)', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'made', labels: { a: 'b' } }, spec: { ports: [{ port: 81 }] } });
    const c = await call('POST', SVC, body, 'application/json', 'kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07');
    assert.equal(c.status, 201, c.body);
    const o = c.json();
    assert.deepEqual(managers(o), ['kubectl/Update']);
    const f = o.metadata.managedFields[0].fieldsV1;
    // Defaulted fields are the creator's; allocated ones (clusterIP) and metadata's system fields are nobody's.
    assert.deepEqual(Object.keys(f['f:spec']).sort(), ['f:internalTrafficPolicy', 'f:ports', 'f:sessionAffinity', 'f:type']);
    assert.deepEqual(f['f:metadata'], { 'f:labels': { '.': {}, 'f:a': {} } });
    assert.deepEqual(Object.keys(f['f:spec']['f:ports']), ['.', 'k:{"port":81,"protocol":"TCP"}']);
    const p = await call('PATCH', `${SVC}/made?fieldManager=editor`, JSON.stringify({ metadata: { labels: { a: 'c' } } }), MERGE);
    assert.equal(p.status, 200, p.body);
    const after = p.json();
    // Entries of the same second are ordered by manager name, as upstream sorts them.
    const entry = (o: any, m: string) => o.metadata.managedFields.find((e: any) => e.manager === m);
    assert.deepEqual(managers(after).sort(), ['editor/Update', 'kubectl/Update']);
    assert.deepEqual(entry(after, 'editor').fieldsV1, { 'f:metadata': { 'f:labels': { 'f:a': {} } } });
    // The creator lost the label it no longer set.
    assert.deepEqual(entry(after, 'kubectl').fieldsV1['f:metadata'], { 'f:labels': {} });
    const st = await call('PUT', `${SVC}/made/status?fieldManager=lb`, JSON.stringify({ ...after, status: { conditions: [{ type: 'Probed', status: 'True', reason: 'Seen', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' }] } }));
    assert.equal(st.status, 200, st.body);
    const withStatus = st.json();
    assert.deepEqual(managers(withStatus).sort(), ['editor/Update', 'kubectl/Update', 'lb/Update/status']);
    assert.ok(entry(withStatus, 'lb').fieldsV1['f:status']);
  });

  it('a write may clear managedFields with an empty list, as upstream allows', async () => {
    const r = await call('PATCH', `${SVC}/made?fieldManager=editor`, JSON.stringify({ metadata: { managedFields: [] } }), MERGE);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json().metadata.managedFields, undefined);
  });

  it('answers a conflicting apply 409 naming the field and its manager; force takes the field', async () => {
    const p = await call('PATCH', `${SVC}/web?fieldManager=editor`, JSON.stringify({ spec: { ports: [{ port: 80, targetPort: 9999 }] } }), 'application/strategic-merge-patch+json');
    assert.equal(p.status, 200, p.body);
    const r = await apply('web', svcYaml('web'));
    assert.equal(r.status, 409, r.body);
    const st = r.json();
    assert.equal(st.reason, 'Conflict');
    assert.equal(st.message, 'Apply failed with 1 conflict: conflict with "editor" using v1: .spec.ports[port=80,protocol="TCP"].targetPort');
    assert.deepEqual(st.details.causes, [
      { reason: 'FieldManagerConflict', message: 'conflict with "editor" using v1', field: '.spec.ports[port=80,protocol="TCP"].targetPort' },
    ]);
    assert.equal((await get('web')).spec.ports[0].targetPort, 9999, 'a refused apply writes nothing');
    const forced = await apply('web', svcYaml('web'), 'fieldManager=kubectl&force=true');
    assert.equal(forced.status, 200, forced.body);
    assert.equal(forced.json().spec.ports[0].targetPort, 8080);
    assert.deepEqual(managers(forced.json()), ['kubectl/Apply'], 'the editor owned nothing else');
  });

  it('removes what an applier stops applying, but not what another manager owns', async () => {
    const two = '  - name: http\n    port: 80\n    targetPort: 8080\n  - name: metrics\n    port: 9090\n';
    assert.equal((await apply('web', svcYaml('web', '', two))).status, 200);
    const p = await call('PATCH', `${SVC}/web?fieldManager=editor`, JSON.stringify({ metadata: { labels: { team: 'x' } } }), MERGE);
    assert.equal(p.status, 200);
    const noLabels = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n';
    const r = await apply('web', noLabels);
    assert.equal(r.status, 200, r.body);
    const o = r.json();
    assert.deepEqual(o.spec.ports.map((x: any) => x.port), [80]);
    assert.deepEqual(o.metadata.labels, { team: 'x' }, "the applier's label went, the editor's stayed");
  });

  it('dry-runs an apply: the answer is the would-be object, nothing is stored', async () => {
    const r = await apply('dry', svcYaml('dry'), 'fieldManager=kubectl&dryRun=All');
    assert.equal(r.status, 201, r.body);
    assert.deepEqual(managers(r.json()), ['kubectl/Apply']);
    assert.equal((await call('GET', `${SVC}/dry`)).status, 404);
    const d = await apply('web', svcYaml('web').replace('8080', '8081'), 'fieldManager=kubectl&dryRun=All');
    assert.equal(d.status, 200, d.body);
    assert.equal(d.json().spec.ports[0].targetPort, 8081);
    assert.equal((await get('web')).spec.ports[0].targetPort, 8080);
  });

  it('records a scale write under subresource "scale", and an apply conflicts with it by that name', async () => {
    const DEP = '/apis/apps/v1/namespaces/default/deployments';
    const dep = (replicas: number) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels: {app: d}\n  template:\n    metadata:\n      labels: {app: d}\n    spec:\n      containers:\n      - name: c\n        image: registry.k8s.io/pause\n`;
    assert.equal((await call('PATCH', `${DEP}/d?fieldManager=kubectl`, dep(2), APPLY)).status, 201);
    const sc = await call('PATCH', `${DEP}/d/scale?fieldManager=scaler`, JSON.stringify({ spec: { replicas: 4 } }), MERGE);
    assert.equal(sc.status, 200, sc.body);
    const o = (await call('GET', `${DEP}/d`)).json();
    const e = o.metadata.managedFields.find((m: any) => m.manager === 'scaler');
    assert.deepEqual([e.operation, e.apiVersion, e.subresource, e.fieldsV1], ['Update', 'apps/v1', 'scale', { 'f:spec': { 'f:replicas': {} } }]);
    const r = await call('PATCH', `${DEP}/d?fieldManager=kubectl`, dep(2), APPLY);
    assert.equal(r.status, 409, r.body);
    assert.equal(r.json().message, 'Apply failed with 1 conflict: conflict with "scaler" with subresource "scale" using apps/v1: .spec.replicas');
  });

  it('refuses bad apply requests with upstream 4xx and keeps serving', async () => {
    const cases: Array<[string, string, string, number, RegExp]> = [
      ['no fieldManager', 'x', '', 422, /^PatchOptions\.meta\.k8s\.io "" is invalid: fieldManager: Required value: is required for apply patch$/],
      ['a list', 'x', '- 1\n- 2\n', 400, /cannot unmarshal array into Go value of type map\[string\]interface \{\}/],
      ['a string', 'x', 'hello\n', 400, /cannot unmarshal string/],
      ['wrong apiVersion', 'x', svcYaml('x').replace('apiVersion: v1', 'apiVersion: apps/v1'), 400, /^Incorrect version specified in apply patch\. Specified patch version: apps\/v1, expected: v1$/],
      ['no apiVersion', 'x', svcYaml('x').replace('apiVersion: v1\n', ''), 400, /Specified patch version: , expected: v1/],
      ['wrong kind', 'x', svcYaml('x').replace('kind: Service', 'kind: Pod'), 400, /failed to create typed patch object \(\/v1, Kind=Pod\)/],
      ['name differs from the URL', 'y', svcYaml('x'), 400, /^the name of the object \(x\) does not match the name on the URL \(y\)$/],
      ['managedFields set', 'x', svcYaml('x').replace('metadata:\n', 'metadata:\n  managedFields: []\n'), 400, /^metadata\.managedFields must be nil$/],
      ['duplicate list keys', 'x', svcYaml('x', '', '  - port: 80\n  - port: 80\n    protocol: TCP\n'), 400, /\.spec\.ports: duplicate entries for key \[port=80,protocol="TCP"\]/],
      ['metadata not a map', 'x', 'apiVersion: v1\nkind: Service\nmetadata: 5\n', 400, /\.metadata: expected map/],
      ['spec of the wrong type', 'x', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec: [1]\n', 422, /spec/],
      ['a port of the wrong type', 'x', svcYaml('x', '', '  - port: eighty\n'), 422, /port/],
      ['deeply nested YAML', 'x', `apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  labels: ${'['.repeat(20000)}${']'.repeat(20000)}\n`, 400, /./],
      ['unknown field', 'x', svcYaml('x', '  bogus: 1\n'), 400, /^failed to create typed patch object \(\/v1, Kind=Service\): \.spec\.bogus: field not declared in schema$/],
    ];
    for (const [what, name, body, code, msg] of cases) {
      const r = await call('PATCH', `${SVC}/${name}${what === 'no fieldManager' ? '' : '?fieldManager=kubectl'}`, body || svcYaml('x'), APPLY);
      assert.equal(r.status, code, `${what}: ${r.body}`);
      assert.match(r.json().message, msg, what);
    }
    // Odd but well-formed configurations: any answer but a 5xx.
    const odd = [
      svcYaml('odd1').replace('spec:\n', 'spec:\n  clusterIP: null\n'),
      svcYaml('odd2').replace('  labels:\n    app: odd2\n', '  labels:\n    app: null\n'),
      svcYaml('odd3').replace('  selector:\n    app: odd3\n', '  selector: null\n'),
      'apiVersion: v1\nkind: Service\nmetadata: null\n',
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: odd5\nspec:\n  ports:\n  - null\n',
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: odd6\nspec:\n  ports:\n  - port: [80]\n',
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: odd7\n  finalizers: [a/b, a/b]\nspec:\n  ports:\n  - port: 80\n',
    ];
    for (const [i, body] of odd.entries()) {
      const r = await call('PATCH', `${SVC}/odd${i + 1}?fieldManager=kubectl`, body, APPLY);
      assert.ok(r.status < 500, `odd ${i + 1}: ${r.status} ${r.body}`);
    }
    const huge = svcYaml('x').replace('metadata:\n', `metadata:\n  annotations:\n    a: "${'x'.repeat(4 << 20)}"\n`);
    assert.equal((await call('PATCH', `${SVC}/x?fieldManager=kubectl`, huge, APPLY)).status, 413);
    const forceOnMerge = await call('PATCH', `${SVC}/web?fieldManager=e&force=true`, '{}', MERGE);
    assert.equal(forceOnMerge.status, 422);
    assert.match(forceOnMerge.json().message, /force: Forbidden: may not be specified for non-apply patch/);
    assert.equal((await call('GET', `${SVC}/x`)).status, 404, 'nothing was created by a refused apply');
    assert.equal((await call('GET', `${SVC}/web`)).status, 200, 'the server still answers');
  });
});
