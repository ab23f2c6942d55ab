// PUTs without a resourceVersion, as upstream's store takes them: for the kinds whose strategy
// allows unconditional updates (Services, Deployments and most built-in kinds) the write replaces
// whatever is stored and a lost race is retried; a body or Scale that carries a resourceVersion is
// pinned to it (409 when stale); Leases, CRDs and custom resources refuse the PUT with upstream's 422.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { widget, widgetCRD } from '../unit/api/apiextensions/fixtures.js';
import { connect, type TLSSocket } from 'node:tls';
import { credentials, type HttpResult } from '../e2e/harness.js';

const DEP = '/apis/apps/v1/namespaces/default/deployments';
const MERGE = 'application/merge-patch+json';

describe('updates without a resourceVersion', () => {
  let t: TestApiServer;

  before(async () => {
    // On state.db, as `kubesvc up` runs.
    t = await startTestApiServer({ prefix: 'kubesvc-scale-race-', datastore: 'sqlite' });
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'race' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'race' } }, template: { metadata: { labels: { app: 'race' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause' }] } } },
    };
    assert.equal((await t.send('POST', DEP, JSON.stringify(dep))).status, 201);
  });
  after(async () => {
    await t?.stop();
  });

  it('Scale PUTs without a resourceVersion all succeed while labels are patched in between', async () => {
    const scales: Promise<HttpResult>[] = [];
    const patches: Promise<HttpResult>[] = [];
    for (let i = 0; i < 40; i++) {
      patches.push(t.send('PATCH', `${DEP}/race`, JSON.stringify({ metadata: { labels: { round: String(i) } } }), MERGE));
      scales.push(t.send('PUT', `${DEP}/race/scale`, JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'race', namespace: 'default' }, spec: { replicas: 2 + (i % 5) } })));
    }
    for (const r of await Promise.all(patches)) assert.equal(r.status, 200, r.body);
    for (const r of await Promise.all(scales)) assert.equal(r.status, 200, r.body);
    const d = (await t.send('GET', `${DEP}/race`)).json();
    assert.ok(d.spec.replicas >= 2 && d.spec.replicas <= 6);
  });

  it('a Scale PUT that loses the race with a write in the same turn is retried, not answered 409', async () => {
    // Two warm connections, a label patch on one and a Scale on the other written at once: the
    // server reads both against one version, the patch commits first and the Scale's write fails
    // its compare-and-swap. Without a resourceVersion of its own the Scale must be retried.
    const cred = credentials(t.kubeconfig);
    const url = new URL(t.api.url);
    const open = () =>
      new Promise<TLSSocket>((resolve, reject) => {
        const s = connect({ host: url.hostname, port: Number(url.port), ca: cred.ca, cert: cred.cert, key: cred.key, servername: 'localhost' }, () => resolve(s));
        s.once('error', reject);
      });
    /** Writes one request and resolves with the status of its answer (bodies are read by length). */
    const exchange = (sock: TLSSocket, method: string, path: string, body: string, type: string) =>
      new Promise<number>((resolve, reject) => {
        let buf = '';
        const onData = (d: Buffer) => {
          buf += d.toString('latin1');
          const head = buf.indexOf('\r\n\r\n');
          if (head < 0) return;
          const length = Number(/content-length: (\d+)/i.exec(buf.slice(0, head))?.[1] ?? 0);
          if (buf.length < head + 4 + length) return;
          sock.off('data', onData);
          resolve(Number(buf.slice(9, 12)));
        };
        sock.on('data', onData);
        sock.once('error', reject);
        sock.write(`${method} ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      });
    const [a, b] = await Promise.all([open(), open()]);
    try {
      const statuses: number[][] = [];
      for (let i = 0; i < 30; i++) {
        statuses.push(
          await Promise.all([
            exchange(a, 'PATCH', `${DEP}/race`, JSON.stringify({ metadata: { labels: { turn: String(i) } } }), MERGE),
            exchange(b, 'PUT', `${DEP}/race/scale`, JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'race', namespace: 'default' }, spec: { replicas: 1 + (i % 3) } }), 'application/json'),
          ]),
        );
      }
      assert.deepEqual(statuses.filter(([p, s]) => p !== 200 || s !== 200), []);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('a Service PUT without a resourceVersion replaces what is stored; with a stale one it is a 409', async () => {
    const SVC = '/api/v1/namespaces/default/services';
    assert.equal((await t.send('POST', SVC, JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } }))).status, 201);
    const read = (await t.send('GET', `${SVC}/web`)).json();
    const { resourceVersion: stale, ...meta } = read.metadata;
    const put = await t.send('PUT', `${SVC}/web`, JSON.stringify({ ...read, metadata: meta, spec: { ...read.spec, ports: [{ port: 81, protocol: 'TCP', targetPort: 81 }] } }));
    assert.equal(put.status, 200, put.body);
    assert.ok(Number(put.json().metadata.resourceVersion) > Number(stale));
    assert.equal((await t.send('GET', `${SVC}/web`)).json().spec.ports[0].port, 81);
    const again = await t.send('PUT', `${SVC}/web`, JSON.stringify({ ...read, spec: { ...read.spec, ports: [{ port: 82, protocol: 'TCP', targetPort: 82 }] } }));
    assert.equal(again.status, 409, again.body);
    assert.equal(again.json().message, 'Operation cannot be fulfilled on services "web": the object has been modified; please apply your changes to the latest version and try again');
  });

  it('Deployment PUTs without a resourceVersion all succeed while labels are patched in between', async () => {
    const d = (await t.send('GET', `${DEP}/race`)).json();
    delete d.metadata.resourceVersion;
    delete d.metadata.managedFields;
    const puts: Promise<HttpResult>[] = [];
    const patches: Promise<HttpResult>[] = [];
    for (let i = 0; i < 20; i++) {
      patches.push(t.send('PATCH', `${DEP}/race`, JSON.stringify({ metadata: { labels: { put: String(i) } } }), MERGE));
      puts.push(t.send('PUT', `${DEP}/race`, JSON.stringify({ ...d, metadata: { ...d.metadata, annotations: { put: String(i) } } })));
    }
    for (const r of await Promise.all([...patches, ...puts])) assert.equal(r.status, 200, r.body);
  });

  it('Leases and CRDs refuse a PUT without a resourceVersion with upstream\'s 422', async () => {
    const LEASES = '/apis/coordination.k8s.io/v1/namespaces/default/leases';
    assert.equal((await t.send('POST', LEASES, JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'held' }, spec: { holderIdentity: 'a' } }))).status, 201);
    const lease = await t.send('PUT', `${LEASES}/held`, JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'held' }, spec: { holderIdentity: 'b' } }));
    assert.equal(lease.status, 422, lease.body);
    const s = lease.json();
    assert.equal(s.message, 'leases.coordination.k8s.io "held" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    assert.deepEqual([s.details.kind, s.details.group, s.details.causes[0].field], ['leases', 'coordination.k8s.io', 'metadata.resourceVersion']);
    assert.equal((await t.send('GET', `${LEASES}/held`)).json().spec.holderIdentity, 'a', 'nothing was written');

    const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
    const crd = widgetCRD();
    assert.equal((await t.send('POST', CRDS, JSON.stringify(crd))).status, 201);
    const r = await t.send('PUT', `${CRDS}/widgets.example.com`, JSON.stringify(crd));
    assert.equal(r.status, 422, r.body);
    assert.equal(r.json().message, 'customresourcedefinitions.apiextensions.k8s.io "widgets.example.com" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    // A custom resource of it, once the CRD is served.
    const WIDGETS = '/apis/example.com/v1/namespaces/default/widgets';
    let created: HttpResult | undefined;
    for (let i = 0; i < 50 && created?.status !== 201; i++) {
      created = await t.send('POST', WIDGETS, JSON.stringify(widget({ size: 1 })));
      if (created.status !== 201) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(created!.status, 201, created!.body);
    const cr = await t.send('PUT', `${WIDGETS}/w1`, JSON.stringify(widget({ size: 2 })));
    assert.equal(cr.status, 422, cr.body);
    assert.equal(cr.json().message, 'widgets.example.com "w1" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
  });

  it('a Scale that carries an old resourceVersion is still refused with 409', async () => {
    const scale = (await t.send('GET', `${DEP}/race/scale`)).json();
    assert.equal((await t.send('PATCH', `${DEP}/race`, JSON.stringify({ metadata: { labels: { after: 'read' } } }), MERGE)).status, 200);
    const r = await t.send('PUT', `${DEP}/race/scale`, JSON.stringify({ ...scale, spec: { replicas: 9 } }));
    assert.equal(r.status, 409, r.body);
    assert.equal(r.json().reason, 'Conflict');
    const fresh = (await t.send('GET', `${DEP}/race/scale`)).json();
    assert.equal((await t.send('PUT', `${DEP}/race/scale`, JSON.stringify({ ...fresh, spec: { replicas: 9 } }))).status, 200);
  });
});
