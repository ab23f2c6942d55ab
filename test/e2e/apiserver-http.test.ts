// The API over raw HTTPS, as client libraries see it: status codes, Status bodies, optimistic
// concurrency, pagination, watch, and bad input that loses nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { startCluster, request, credentials, type Cluster } from './harness.js';

const svc = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, ...extra },
    spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
  });

describe('API server over HTTPS', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('answers /readyz and /version to anonymous requests and refuses them the API with 403', async () => {
    const ready = await request(c, 'GET', '/readyz', undefined, { anonymous: true });
    assert.equal(ready.status, 200);
    assert.equal(ready.body, 'ok');
    const version = await request(c, 'GET', '/version', undefined, { anonymous: true });
    assert.equal(version.status, 200);
    assert.equal(version.json().gitVersion, 'v1.32.0');
    const anon = await request(c, 'GET', '/api/v1/services', undefined, { anonymous: true });
    assert.equal(anon.status, 403);
    assert.equal(anon.json().message, 'services is forbidden: User "system:anonymous" cannot list resource "services" in API group "" at the cluster scope');
  });

  it('serves discovery with shortNames and subresources', async () => {
    const v1 = (await request(c, 'GET', '/api/v1')).json();
    const services = v1.resources.find((r: any) => r.name === 'services');
    assert.deepEqual(services.shortNames, ['svc']);
    assert.ok(v1.resources.some((r: any) => r.name === 'services/status'));
    const apps = (await request(c, 'GET', '/apis/apps/v1')).json();
    const scale = apps.resources.find((r: any) => r.name === 'deployments/scale');
    assert.equal(scale.kind, 'Scale');
    const groups = (await request(c, 'GET', '/apis')).json();
    assert.deepEqual(groups.groups.map((g: any) => g.name).sort(), ['apiextensions.k8s.io', 'apps', 'authentication.k8s.io', 'authorization.k8s.io', 'batch', 'certificates.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'metrics.k8s.io', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io']);
  });

  it('creates with 201, returns 409 AlreadyExists for a duplicate', async () => {
    const r = await request(c, 'POST', '/api/v1/namespaces/default/services', svc('web'));
    assert.equal(r.status, 201);
    const dup = await request(c, 'POST', '/api/v1/namespaces/default/services', svc('web'));
    assert.equal(dup.status, 409);
    assert.equal(dup.json().reason, 'AlreadyExists');
    assert.equal(dup.json().message, 'services "web" already exists');
  });

  it('generates names from generateName and honours dryRun=All', async () => {
    const r = await request(c, 'POST', '/api/v1/namespaces/default/services', svc('', { generateName: 'gen-' }).replace('"name":"",', ''));
    assert.equal(r.status, 201);
    assert.match(r.json().metadata.name, /^gen-[a-z0-9]{5}$/);
    const dry = await request(c, 'POST', '/api/v1/namespaces/default/services?dryRun=All', svc('dry'));
    assert.equal(dry.status, 201);
    assert.equal((await request(c, 'GET', '/api/v1/namespaces/default/services/dry')).status, 404);
  });

  it('rejects a stale resourceVersion with 409 Conflict', async () => {
    const cur = (await request(c, 'GET', '/api/v1/namespaces/default/services/web')).json();
    cur.metadata.labels = { a: '1' };
    const ok = await request(c, 'PUT', '/api/v1/namespaces/default/services/web', JSON.stringify(cur));
    assert.equal(ok.status, 200);
    assert.notEqual(ok.json().metadata.resourceVersion, cur.metadata.resourceVersion);
    cur.metadata.labels = { a: '2' };
    const stale = await request(c, 'PUT', '/api/v1/namespaces/default/services/web', JSON.stringify(cur));
    assert.equal(stale.status, 409);
    assert.equal(stale.json().reason, 'Conflict');
    assert.match(stale.json().message, /the object has been modified; please apply your changes to the latest version and try again/);
  });

  it('keeps status out of spec updates and spec out of status updates', async () => {
    const lb = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'lb-status' },
      // Another class, so kubesvc's own LoadBalancer controller leaves its status to this test.
      spec: { type: 'LoadBalancer', loadBalancerClass: 'example.com/other', ports: [{ port: 80 }] },
      status: { loadBalancer: { ingress: [{ ip: '127.240.0.99' }] } },
    });
    const created = await request(c, 'POST', '/api/v1/namespaces/default/services', lb);
    assert.deepEqual(created.json().status, { loadBalancer: {} }, 'status written by a client on create is ignored');
    const cur = created.json();
    cur.status = { loadBalancer: { ingress: [{ ip: '127.240.0.9' }] } };
    const put = await request(c, 'PUT', '/api/v1/namespaces/default/services/lb-status', JSON.stringify(cur));
    assert.equal(put.status, 200);
    assert.deepEqual(put.json().status, { loadBalancer: {} });
    const st = put.json();
    st.status = { loadBalancer: { ingress: [{ ip: '127.240.0.9', ipMode: 'VIP' }] } };
    st.spec.sessionAffinity = 'ClientIP';
    const ps = await request(c, 'PUT', '/api/v1/namespaces/default/services/lb-status/status', JSON.stringify(st));
    assert.equal(ps.status, 200);
    assert.equal(ps.json().status.loadBalancer.ingress[0].ip, '127.240.0.9');
    assert.equal(ps.json().spec.sessionAffinity, 'None');
    // A ClusterIP Service may not carry LoadBalancer ingress, as upstream validates.
    const web = (await request(c, 'GET', '/api/v1/namespaces/default/services/web')).json();
    web.status = { loadBalancer: { ingress: [{ ip: '127.240.0.9' }] } };
    const bad = await request(c, 'PUT', '/api/v1/namespaces/default/services/web/status', JSON.stringify(web));
    assert.equal(bad.status, 422);
    assert.equal(bad.json().details.causes[0].field, 'status.loadBalancer.ingress');
  });

  it('answers invalid objects with 422 and field causes', async () => {
    const bad = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'bad' }, spec: { ports: [{ port: 0 }] } });
    const r = await request(c, 'POST', '/api/v1/namespaces/default/services', bad);
    assert.equal(r.status, 422);
    const st = r.json();
    assert.equal(st.reason, 'Invalid');
    assert.equal(st.details.kind, 'Service');
    assert.ok(st.details.causes.some((x: any) => x.field === 'spec.ports[0].port'));
  });

  it('answers malformed JSON and YAML with 400, huge bodies with 413, unknown paths with 404', async () => {
    const j = await request(c, 'POST', '/api/v1/namespaces/default/services', '{"apiVersion": "v1", kind');
    assert.equal(j.status, 400);
    assert.equal(j.json().reason, 'BadRequest');
    const y = await request(c, 'POST', '/api/v1/namespaces/default/services', 'metadata: [unclosed', { contentType: 'application/yaml' });
    assert.equal(y.status, 400);
    const big = Buffer.alloc(4 * 1024 * 1024, 'a');
    const b = await request(c, 'POST', '/api/v1/namespaces/default/services', big);
    assert.equal(b.status, 413);
    assert.equal(b.json().reason, 'RequestEntityTooLarge');
    assert.equal((await request(c, 'GET', '/api/v1/widgets')).status, 404);
    assert.equal((await request(c, 'GET', '/apis/nope.example.com/v1')).status, 404);
    // The server is still serving, and nothing half-written appeared.
    const list = (await request(c, 'GET', '/api/v1/namespaces/default/services')).json();
    assert.ok(list.items.every((s: any) => s.metadata.name !== 'bad'));
  });

  it('creates from YAML bodies', async () => {
    const yaml = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: from-yaml\nspec:\n  ports:\n  - port: 81\n';
    const r = await request(c, 'POST', '/api/v1/namespaces/default/services', yaml, { contentType: 'application/yaml' });
    assert.equal(r.status, 201);
    assert.equal(r.json().spec.ports[0].targetPort, 81);
  });

  it('rejects unknown fields with fieldValidation=Strict and warns by default', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'typo' }, spec: { portz: [], ports: [{ port: 80 }] } });
    const strict = await request(c, 'POST', '/api/v1/namespaces/default/services?fieldValidation=Strict', body);
    assert.equal(strict.status, 400);
    assert.match(strict.json().message, /strict decoding error: unknown field "spec.portz"/);
    const warn = await request(c, 'POST', '/api/v1/namespaces/default/services', body);
    assert.equal(warn.status, 201);
    assert.match(String(warn.headers.warning), /unknown field \\?"spec.portz\\?"/);
  });

  it('pages lists with limit and continue at one snapshot', async () => {
    for (let i = 0; i < 7; i++) {
      assert.equal((await request(c, 'POST', '/api/v1/namespaces/default/services', svc(`page-${i}`, { labels: { page: 'yes' } }))).status, 201);
    }
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const r = (await request(c, 'GET', `/api/v1/namespaces/default/services?labelSelector=page%3Dyes&limit=3${cont ? `&continue=${cont}` : ''}`)).json();
      names.push(...r.items.map((s: any) => s.metadata.name));
      cont = r.metadata.continue ?? '';
      pages++;
      // A write between pages must not show up in the pages of the same list.
      if (pages === 1) await request(c, 'POST', '/api/v1/namespaces/default/services', svc('page-late', { labels: { page: 'yes' } }));
    } while (cont && pages < 10);
    assert.equal(pages, 3);
    assert.deepEqual(names, [0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`));
  });

  it('streams watch events from a resourceVersion', async () => {
    const list = (await request(c, 'GET', '/api/v1/namespaces/default/services')).json();
    const rv = list.metadata.resourceVersion;
    const cred = credentials(c.kubeconfig);
    const events: any[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const req = https.request(
        new URL(`/api/v1/namespaces/default/services?watch=1&resourceVersion=${rv}&timeoutSeconds=5`, c.url),
        { ca: cred.ca, cert: cred.cert, key: cred.key },
        (res) => {
          let buf = '';
          res.on('data', (d) => {
            buf += d;
            let i;
            while ((i = buf.indexOf('\n')) >= 0) {
              events.push(JSON.parse(buf.slice(0, i)));
              buf = buf.slice(i + 1);
              if (events.length === 3) {
                req.destroy();
                resolve();
              }
            }
          });
          res.on('end', () => resolve());
        },
      );
      req.on('error', (e) => (events.length >= 3 ? resolve() : reject(e)));
      req.end();
    });
    await request(c, 'POST', '/api/v1/namespaces/default/services', svc('watched'));
    await request(c, 'PATCH', '/api/v1/namespaces/default/services/watched', '{"metadata":{"labels":{"x":"y"}}}', {
      contentType: 'application/merge-patch+json',
    });
    await request(c, 'DELETE', '/api/v1/namespaces/default/services/watched');
    await done;
    assert.deepEqual(
      events.map((e) => [e.type, e.object.metadata.name]),
      [
        ['ADDED', 'watched'],
        ['MODIFIED', 'watched'],
        ['DELETED', 'watched'],
      ],
    );
    assert.equal(events[1].object.metadata.labels.x, 'y');
  });

  it('deletes with a uid precondition mismatch as 409 and without one as 200', async () => {
    const pre = JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-the-uid' } });
    const r = await request(c, 'DELETE', '/api/v1/namespaces/default/services/web', pre);
    assert.equal(r.status, 409);
    const ok = await request(c, 'DELETE', '/api/v1/namespaces/default/services/web');
    assert.equal(ok.status, 200);
    assert.equal(ok.json().metadata.name, 'web');
  });

  it('retries a patch without a resourceVersion through concurrent writers, and pins one that has it', async () => {
    await request(c, 'POST', '/api/v1/namespaces/default/services', svc('contended'));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(c, 'PATCH', '/api/v1/namespaces/default/services/contended', JSON.stringify({ metadata: { labels: { [`k${i}`]: 'v' } } }), {
          contentType: 'application/merge-patch+json',
        }),
      ),
    );
    assert.deepEqual(results.map((r) => r.status), Array(20).fill(200));
    const labels = (await request(c, 'GET', '/api/v1/namespaces/default/services/contended')).json().metadata.labels;
    assert.equal(Object.keys(labels).length, 20);
    const stale = await request(c, 'PATCH', '/api/v1/namespaces/default/services/contended', '{"metadata":{"resourceVersion":"1","labels":{"x":"y"}}}', {
      contentType: 'application/merge-patch+json',
    });
    assert.equal(stale.status, 409);
  });

  it('keeps an object with finalizers until they are removed', async () => {
    const body = svc('held', { finalizers: ['example.com/hold'] });
    assert.equal((await request(c, 'POST', '/api/v1/namespaces/default/services', body)).status, 201);
    const del = await request(c, 'DELETE', '/api/v1/namespaces/default/services/held');
    assert.equal(del.status, 202);
    assert.ok(del.json().metadata.deletionTimestamp);
    const still = await request(c, 'GET', '/api/v1/namespaces/default/services/held');
    assert.equal(still.status, 200);
    assert.deepEqual(still.json().metadata.finalizers, ['example.com/hold']);
    const done = await request(c, 'PATCH', '/api/v1/namespaces/default/services/held', '{"metadata":{"finalizers":null}}', {
      contentType: 'application/merge-patch+json',
    });
    assert.equal(done.status, 200);
    assert.equal((await request(c, 'GET', '/api/v1/namespaces/default/services/held')).status, 404);
  });

  it('deletes a collection by label selector', async () => {
    for (const n of ['coll-a', 'coll-b', 'coll-c']) {
      await request(c, 'POST', '/api/v1/namespaces/default/services', svc(n, { labels: { coll: n === 'coll-c' ? 'keep' : 'drop' } }));
    }
    const r = await request(c, 'DELETE', '/api/v1/namespaces/default/services?labelSelector=coll%3Ddrop');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json().items.map((i: any) => i.metadata.name).sort(), ['coll-a', 'coll-b']);
    const left = (await request(c, 'GET', '/api/v1/namespaces/default/services?labelSelector=coll')).json();
    assert.deepEqual(left.items.map((i: any) => i.metadata.name), ['coll-c']);
  });

  it('refuses to create in a namespace that does not exist', async () => {
    const r = await request(c, 'POST', '/api/v1/namespaces/nowhere/services', svc('lost'));
    assert.equal(r.status, 404);
    assert.equal(r.json().message, 'namespaces "nowhere" not found');
  });
});
