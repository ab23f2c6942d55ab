// Aggregated discovery on a real API server: the document (checked against the unaggregated
// APIResourceLists it must agree with), the negotiation upstream's WrappedHandler does, ETag and 304,
// and hostile Accept headers answered 200/406 (or Node's own 431 for an oversized header), never 5xx.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { request, type HttpResult } from '../e2e/harness.js';

const v2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const v2beta1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
/** What kubectl 1.32 sends for /api and /apis (captured with -v=8). */
const kubectlAccept = `${v2},${v2beta1},application/json`;

describe('aggregated discovery', () => {
  let t: TestApiServer;
  const get = (path: string, accept?: string, headers?: Record<string, string>): Promise<HttpResult> =>
    request({ url: t.api.url, kubeconfig: t.kubeconfig }, 'GET', path, undefined, { ...(accept !== undefined ? { accept } : {}), ...(headers ? { headers } : {}) });

  before(async () => {
    t = await startTestApiServer({ prefix: 'kubesvc-discovery-' });
  });
  after(async () => {
    await t?.stop();
  });

  it('answers kubectl on /api with the core group as APIGroupDiscoveryList v2, as upstream labels it', async () => {
    const r = await get('/api', kubectlAccept);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], v2);
    assert.equal(r.headers.vary, 'Accept');
    assert.equal(r.headers['cache-control'], 'public');
    assert.match(String(r.headers.etag), /^"[0-9A-F]{128}"$/);
    const doc = r.json();
    assert.equal(doc.kind, 'APIGroupDiscoveryList');
    assert.equal(doc.apiVersion, 'apidiscovery.k8s.io/v2');
    assert.equal(doc.items.length, 1);
    // The core group's name is "", which Go's omitempty leaves out.
    assert.deepEqual(doc.items[0].metadata, { creationTimestamp: null });
    const v1 = doc.items[0].versions[0];
    assert.equal(v1.version, 'v1');
    assert.equal(v1.freshness, 'Current');
    const services = v1.resources.find((x: any) => x.resource === 'services');
    assert.deepEqual(services, {
      resource: 'services',
      responseKind: { group: '', version: '', kind: 'Service' },
      scope: 'Namespaced',
      singularResource: 'service',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['svc'],
      categories: ['all'],
      subresources: [
        { subresource: 'status', responseKind: { group: '', version: '', kind: 'Service' }, verbs: ['get', 'patch', 'update'] },
        { subresource: 'proxy', responseKind: { group: '', version: '', kind: 'ServiceProxyOptions' }, verbs: ['create', 'delete', 'get', 'patch', 'update'] },
      ],
    });
    const ns = v1.resources.find((x: any) => x.resource === 'namespaces');
    assert.equal(ns.scope, 'Cluster');
    const pods = v1.resources.find((x: any) => x.resource === 'pods');
    const exec = pods.subresources.find((s: any) => s.subresource === 'exec');
    assert.deepEqual(exec, { subresource: 'exec', responseKind: { group: '', version: '', kind: 'PodExecOptions' }, verbs: ['create', 'get'] });
  });

  it('answers /apis with every named group (no core group), scale answering autoscaling/v1 Scale', async () => {
    const r = await get('/apis', kubectlAccept);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], v2);
    const doc = r.json();
    const legacy = (await get('/apis', 'application/json')).json();
    assert.deepEqual(doc.items.map((g: any) => g.metadata.name), legacy.groups.map((g: any) => g.name), 'same groups, same order');
    const apps = doc.items.find((g: any) => g.metadata.name === 'apps');
    const deployments = apps.versions[0].resources.find((x: any) => x.resource === 'deployments');
    assert.deepEqual(deployments.subresources.find((s: any) => s.subresource === 'scale'), {
      subresource: 'scale',
      responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      verbs: ['get', 'patch', 'update'],
    });
    assert.equal(deployments.singularResource, 'deployment');
    assert.deepEqual(deployments.shortNames, ['deploy']);
  });

  it('says exactly what the per-group-version APIResourceLists say, for every group version', async () => {
    const groups = [{ name: '', versions: [{ groupVersion: 'v1', version: 'v1' }] }, ...(await get('/apis', 'application/json')).json().groups];
    const aggregated = [...(await get('/api', v2)).json().items, ...(await get('/apis', v2)).json().items];
    for (const g of groups) {
      const item = aggregated.find((i: any) => (i.metadata.name ?? '') === g.name);
      assert.ok(item, `group ${JSON.stringify(g.name)} in the aggregated document`);
      assert.deepEqual(item.versions.map((v: any) => v.version), g.versions.map((v: any) => v.version));
      for (const gv of g.versions) {
        const list = (await get(g.name ? `/apis/${gv.groupVersion}` : '/api/v1', 'application/json')).json();
        // Flattened back as client-go's SplitGroupsAndResources does.
        const flat: any[] = [];
        for (const r of item.versions.find((v: any) => v.version === gv.version).resources) {
          flat.push({
            name: r.resource,
            singularName: r.singularResource ?? '',
            namespaced: r.scope === 'Namespaced',
            kind: r.responseKind.kind,
            verbs: r.verbs,
            ...(r.shortNames ? { shortNames: r.shortNames } : {}),
            ...(r.categories ? { categories: r.categories } : {}),
          });
          for (const s of r.subresources ?? []) {
            flat.push({
              name: `${r.resource}/${s.subresource}`,
              singularName: '',
              namespaced: r.scope === 'Namespaced',
              ...(s.responseKind.group || s.responseKind.version ? { group: s.responseKind.group, version: s.responseKind.version } : {}),
              kind: s.responseKind.kind,
              verbs: s.verbs,
            });
          }
        }
        const byName = (a: any, b: any) => (a.name < b.name ? -1 : 1);
        assert.deepEqual([...flat].sort(byName), [...list.resources].sort(byName), gv.groupVersion);
      }
    }
  });

  it('serves v2beta1 to a client that asks for it first, with the same ETag', async () => {
    const beta = await get('/apis', `${v2beta1},${v2}`);
    assert.equal(beta.headers['content-type'], v2beta1);
    assert.equal(beta.json().apiVersion, 'apidiscovery.k8s.io/v2beta1');
    const stable = await get('/apis', v2);
    assert.equal(beta.headers.etag, stable.headers.etag);
    assert.deepEqual(beta.json().items, stable.json().items);
  });

  it('answers 304 with no body to a matching If-None-Match, and the document to any other', async () => {
    for (const path of ['/api', '/apis']) {
      const first = await get(path, kubectlAccept);
      const etag = String(first.headers.etag);
      const again = await get(path, kubectlAccept, { 'If-None-Match': etag });
      assert.equal(again.status, 304, path);
      assert.equal(again.body, '');
      assert.equal(again.headers.etag, etag);
      assert.equal(again.headers.vary, 'Accept');
      // Upstream compares the quoted hash exactly: unquoted, weak or another hash is a full answer.
      for (const other of [etag.slice(1, -1), `W/${etag}`, '"0"', '*']) {
        const r = await get(path, kubectlAccept, { 'If-None-Match': other });
        assert.equal(r.status, 200, `${path} If-None-Match: ${other}`);
        assert.equal(r.body, first.body);
      }
    }
  });

  it('keeps the unaggregated answers for clients that do not ask (no Accept, JSON, wildcards)', async () => {
    for (const accept of [undefined, 'application/json', '*/*', 'application/json, */*', 'application/yaml, application/json']) {
      const api = await get('/api', accept);
      assert.equal(api.status, 200, String(accept));
      assert.match(api.body, /"?kind"?: ?"?APIVersions/, String(accept));
      assert.equal(api.headers['content-type'], accept?.startsWith('application/yaml') ? 'application/yaml' : 'application/json');
      assert.equal(api.headers.etag, undefined);
      const apis = await get('/apis', accept);
      assert.match(apis.body, /"?kind"?: ?"?APIGroupList/, String(accept));
    }
    // Upstream's /api is a go-restful route, which matches Accept entries against what it produces
    // literally (only */* is a wildcard to it) before negotiation; /apis goes straight to negotiation.
    assert.equal((await get('/api', 'application/*')).status, 406);
    assert.equal((await get('/apis', 'application/*')).json().kind, 'APIGroupList');
  });

  it('negotiates as upstream: q order, wildcards, YAML, protobuf skipped for the next clause', async () => {
    // Higher q first, whatever the order written.
    assert.equal((await get('/apis', `application/json;q=0.5,${v2}`)).headers['content-type'], v2);
    // As upstream's WrappedHandler: any clause asking for aggregated discovery wins, even one of lower q
    // than a plain JSON clause, since the aggregated negotiation runs first over all clauses.
    assert.equal((await get('/apis', `${v2};q=0.1,application/json`)).headers['content-type'], v2);
    // A wildcard with the aggregated parameters is served as JSON.
    assert.equal((await get('/apis', '*/*;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')).headers['content-type'], v2);
    // Protobuf is not served here: the client's JSON alternative is used (client-go always sends one).
    const pb = await get('/apis', `application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,${v2}`);
    assert.equal(pb.headers['content-type'], v2);
    const yaml = await get('/api', 'application/yaml;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    assert.equal(yaml.status, 200);
    assert.equal(yaml.headers['content-type'], 'application/yaml;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    assert.match(yaml.body, /^apiVersion: apidiscovery.k8s.io\/v2\n/);
    assert.match(yaml.body, /resource: services/);
  });

  it('answers 406 with upstream wording for an Accept it cannot serve, on each root', async () => {
    const html = await get('/api', 'text/html');
    assert.equal(html.status, 406);
    assert.deepEqual([html.json().reason, html.json().message], ['NotAcceptable', '406: Not Acceptable']);
    const htmlApis = await get('/apis', 'text/html');
    assert.equal(htmlApis.status, 406);
    assert.equal(htmlApis.json().message, 'only the following media types are accepted: application/json, application/yaml');
    // An aggregated version that does not exist, and a Table, are transformations discovery refuses.
    for (const accept of ['application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList', 'application/json;as=Table;v=v1;g=meta.k8s.io']) {
      for (const path of ['/api', '/apis']) {
        const r = await get(path, accept);
        assert.equal(r.status, 406, `${path} ${accept}`);
        assert.match(r.json().message, /^only the following media types are accepted/);
      }
    }
  });

  it('answers hostile Accept headers with 200 or 406 (431 for one over the header limit), never 5xx, and keeps serving', async () => {
    const hostile = [
      ';;;;',
      ',,,,',
      '=',
      '/',
      'a/b/c',
      'application/json;g',
      'application/json;=v2',
      'application/json;q=abc',
      'application/json;q=-1',
      'application/json;q=1e999',
      'application/json;q=NaN',
      `${v2};stream=watch`,
      `${v2};stream=other`,
      `${v2};sv=v1`,
      `${v2};pretty=1;profile=x;unknown=y`,
      'application/json;g=apidiscovery.k8s.io;as=APIGroupDiscoveryList',
      'application/json;g=apidiscovery.k8s.io;v=v2;v=v2beta1;as=APIGroupDiscoveryList',
      'APPLICATION/JSON',
      'application/json;g="apidiscovery.k8s.io";v="v2";as="APIGroupDiscoveryList"',
      'ÿ/ÿ;g=é',
      `application/json;${'x=y;'.repeat(1500)}`,
      Array.from({ length: 700 }, (_, i) => `application/x${i};q=0.${i % 10}`).join(','),
      `application/json;g=${'a'.repeat(12_000)}`,
    ];
    for (const accept of hostile) {
      for (const path of ['/api', '/apis']) {
        const r = await get(path, accept);
        assert.ok([200, 406].includes(r.status), `${path} Accept ${accept.slice(0, 80)}: ${r.status} ${r.body.slice(0, 200)}`);
        if (r.status === 406) assert.equal(r.json().reason, 'NotAcceptable');
      }
    }
    // Past Node's 16 KiB header limit the connection's parser answers for itself, before kubesvc sees it.
    const huge = await get('/apis', `application/json;${'q'.repeat(70_000)}`).catch((e: Error) => e);
    if (!(huge instanceof Error)) assert.ok(huge.status < 500, `oversized Accept: ${huge.status}`);
    assert.equal((await get('/apis', kubectlAccept)).status, 200, 'still serving');
  });
});
