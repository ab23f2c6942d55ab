// A Scale PUT without a resourceVersion while something else writes the object (the deployment
// controller's status, a label): upstream treats it as unconditional and retries a lost race;
// only a Scale that carries a resourceVersion is pinned to it and gets the 409.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { connect, type TLSSocket } from 'node:tls';
import { credentials, request, type HttpResult } from '../e2e/harness.js';

const DEP = '/apis/apps/v1/namespaces/default/deployments';
const MERGE = 'application/merge-patch+json';

describe('scale subresource under concurrent writes', () => {
  let t: TestApiServer;
  let c: { kubeconfig: string; url: string };
  const send = (method: string, path: string, body?: string, contentType?: string): Promise<HttpResult> =>
    request(c, method, path, body, contentType ? { contentType } : {});

  before(async () => {
    // On state.db, as `kubesvc up` runs.
    t = await startTestApiServer({ prefix: 'kubesvc-scale-race-', datastore: 'sqlite' });
    c = { kubeconfig: t.kubeconfig, url: t.api.url };
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'race' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'race' } }, template: { metadata: { labels: { app: 'race' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause' }] } } },
    };
    assert.equal((await send('POST', DEP, JSON.stringify(dep))).status, 201);
  });
  after(async () => {
    await t?.stop();
  });

  it('Scale PUTs without a resourceVersion all succeed while labels are patched in between', async () => {
    const scales: Promise<HttpResult>[] = [];
    const patches: Promise<HttpResult>[] = [];
    for (let i = 0; i < 40; i++) {
      patches.push(send('PATCH', `${DEP}/race`, JSON.stringify({ metadata: { labels: { round: String(i) } } }), MERGE));
      scales.push(send('PUT', `${DEP}/race/scale`, JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'race', namespace: 'default' }, spec: { replicas: 2 + (i % 5) } })));
    }
    for (const r of await Promise.all(patches)) assert.equal(r.status, 200, r.body);
    for (const r of await Promise.all(scales)) assert.equal(r.status, 200, r.body);
    const d = (await send('GET', `${DEP}/race`)).json();
    assert.ok(d.spec.replicas >= 2 && d.spec.replicas <= 6);
  });

  it('a Scale PUT that loses the race with a write in the same turn is retried, not answered 409', async () => {
    // Two warm connections, a label patch on one and a Scale on the other written at once: the
    // server reads both against one version, the patch commits first and the Scale's write fails
    // its compare-and-swap. Without a resourceVersion of its own the Scale must be retried.
    const cred = credentials(c.kubeconfig);
    const url = new URL(c.url);
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

  it('a Scale that carries an old resourceVersion is still refused with 409', async () => {
    const scale = (await send('GET', `${DEP}/race/scale`)).json();
    assert.equal((await send('PATCH', `${DEP}/race`, JSON.stringify({ metadata: { labels: { after: 'read' } } }), MERGE)).status, 200);
    const r = await send('PUT', `${DEP}/race/scale`, JSON.stringify({ ...scale, spec: { replicas: 9 } }));
    assert.equal(r.status, 409, r.body);
    assert.equal(r.json().reason, 'Conflict');
    const fresh = (await send('GET', `${DEP}/race/scale`)).json();
    assert.equal((await send('PUT', `${DEP}/race/scale`, JSON.stringify({ ...fresh, spec: { replicas: 9 } }))).status, 200);
  });
});
