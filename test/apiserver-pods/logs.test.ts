// pods/log through the real kubectl: whole logs, --tail, -f (lines arrive as written, and the
// node's stream is closed when kubectl goes away), and upstream's errors. Then the kubelet API
// as callers meet it: the admin through the API server's nodes/proxy, and callers who dial the
// kubelet directly — without credentials (401), with a ServiceAccount token that may not use
// nodes/proxy (403 from the kubelet's SubjectAccessReview), with the admin certificate — and
// hostile requests that must end in a 4xx, never a crash.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { join } from 'node:path';
import { boundClaims } from '../../src/apiserver/auth/serviceaccount/claims.js';
import { newContext } from '../../src/apiserver/store/context.js';
import { NODE, createPod, eventually, kubectl, startKubectl, startTestCluster, waiting, type TestCluster } from './fixture.js';

// One cluster for the file: pods/log, then the kubelet API that serves it.
let t: TestCluster;
before(async () => {
  t = await startTestCluster();
  await createPod(t, 'web', ['app']);
  await createPod(t, 'two', ['a', 'b']);
  await createPod(t, 'pending', ['app'], [waiting('app', 'ContainerCreating')]);
  t.node.logText.set('default/web/app', 'one\ntwo\nthree\n');
});
after(async () => t?.stop());

describe('pods/log', () => {

  it('kubectl logs prints the container log', async () => {
    const r = await kubectl(t, ['logs', 'web']);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'one\ntwo\nthree\n');
    assert.equal(r.code, 0);
  });

  it('kubectl logs --tail=2 passes tailLines', async () => {
    const r = await kubectl(t, ['logs', 'web', '--tail=2']);
    assert.equal(r.stdout, 'two\nthree\n');
  });

  it('kubectl logs -f streams new lines until kubectl is stopped', async () => {
    const p = startKubectl(t, ['logs', '-f', 'web']);
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await eventually('the existing log', () => out === 'one\ntwo\nthree\n');
    t.node.append('four');
    await eventually('a line written after kubectl connected', () => out.endsWith('four\n'));
    t.node.append('five');
    await eventually('another line', () => out.endsWith('four\nfive\n'));
    const closedBefore = t.node.closedFollowers;
    p.kill('SIGINT');
    await eventually('the node stream to be closed once kubectl left', () => t.node.closedFollowers > closedBefore);
  });

  it('passes --since, --timestamps and --limit-bytes on as PodLogOptions', async () => {
    const r = await kubectl(t, ['logs', 'web', '--since=30s', '--timestamps', '--limit-bytes=5']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'one\nt');
    assert.deepEqual(t.node.lastLogOptions, { follow: false, previous: false, timestamps: true, sinceSeconds: 30, limitBytes: 5 });
  });

  it('--previous needs a terminated earlier container, as the kubelet says', async () => {
    const r = await kubectl(t, ['logs', 'web', '--previous']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /previous terminated container "app" in pod "web" not found/);
  });

  it('a pod with several containers needs a container name (raw API)', async () => {
    const r = await kubectl(t, ['get', '--raw', '/api/v1/namespaces/default/pods/two/log']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /a container name must be specified for pod two, choose one of: \[a b\]/);
  });

  it('an unknown container is a BadRequest with upstream wording', async () => {
    const r = await kubectl(t, ['get', '--raw', '/api/v1/namespaces/default/pods/web/log?container=nope']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container nope is not valid for pod web/);
    const r2 = await kubectl(t, ['logs', 'web', '-c', 'nope']);
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /container nope is not valid for pod web/);
  });

  it('a container still waiting has no logs yet', async () => {
    const r = await kubectl(t, ['logs', 'pending']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container "app" in pod "pending" is waiting to start: ContainerCreating/);
  });

  it('a missing pod is NotFound', async () => {
    const r = await kubectl(t, ['logs', 'nosuch']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pods "nosuch" not found/);
  });

  it('invalid options are rejected as upstream validates them', async () => {
    const r = await kubectl(t, ['get', '--raw', '/api/v1/namespaces/default/pods/web/log?tailLines=-1']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0/);
  });
});

interface Reply {
  status: number;
  body: string;
}

function credentials(kubeconfig: string) {
  const text = readFileSync(kubeconfig, 'utf8');
  const field = (name: string) => Buffer.from(new RegExp(`${name}: (\\S+)`).exec(text)![1]!, 'base64').toString('utf8');
  return { cert: field('client-certificate-data'), key: field('client-key-data') };
}

describe('kubelet API', () => {
  let ca: string;
  let saToken: string;

  /** A request straight to the fake node's kubelet. */
  const direct = (path: string, o: { method?: string; headers?: Record<string, string>; cert?: { cert: string; key: string }; body?: Buffer } = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port: t.kubelet.port, path, method: o.method ?? 'GET', ca, servername: NODE, headers: o.headers ?? {}, ...(o.cert ?? {}) },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(o.body);
    });

  before(async () => {
    ca = readFileSync(join(t.dir, 'pki', 'ca.crt'), 'utf8');
    const api = t.cluster.api;
    const sa = await api.store('', 'serviceaccounts').create(newContext({ namespace: 'default' }), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'watcher', namespace: 'default' } });
    saToken = api.serviceAccountTokens.sign(
      boundClaims({ issuer: api.serviceAccountTokens.issuer, serviceAccount: { namespace: 'default', name: 'watcher', uid: sa.metadata.uid! }, audiences: api.serviceAccountTokens.apiAudiences, expirationSeconds: 3600 }),
    );
  });

  it('the admin reads /pods, /stats/summary and /healthz through nodes/proxy', async () => {
    const pods = await kubectl(t, ['get', '--raw', `/api/v1/nodes/${NODE}/proxy/pods`]);
    assert.equal(pods.code, 0, pods.stderr);
    const list = JSON.parse(pods.stdout) as { kind: string; items: { metadata: { name: string } }[] };
    assert.equal(list.kind, 'PodList');
    assert.deepEqual(list.items.map((p) => p.metadata.name).sort(), ['pending', 'two', 'web']);
    const stats = await kubectl(t, ['get', '--raw', `/api/v1/nodes/${NODE}/proxy/stats/summary`]);
    assert.equal(stats.code, 0, stats.stderr);
    const summary = JSON.parse(stats.stdout) as { node: { nodeName: string; memory: { usageBytes: number } }; pods: unknown[] };
    assert.equal(summary.node.nodeName, NODE);
    assert.ok(summary.node.memory.usageBytes > 0);
    const healthz = await kubectl(t, ['get', '--raw', `/api/v1/nodes/${NODE}/proxy/healthz`]);
    assert.equal(healthz.stdout, 'ok');
  });

  it('the real node of `up` answers through nodes/proxy too', async () => {
    const name = t.cluster.nodes[0]!.name;
    const r = await kubectl(t, ['get', '--raw', `/api/v1/nodes/${name}/proxy/stats/summary`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { node: { nodeName: string } }).node.nodeName, name);
    // Its own reviews go through the API under the node's identity (TokenReview, then SubjectAccessReview).
    const node = (await t.cluster.api.store('', 'nodes').get(undefined, name)).obj as { status: { daemonEndpoints: { kubeletEndpoint: { Port: number } } } };
    const port = node.status.daemonEndpoints.kubeletEndpoint.Port;
    const denied = await new Promise<Reply>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port, path: '/pods', ca, headers: { Authorization: `Bearer ${saToken}` } }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
    assert.deepEqual(denied, { status: 403, body: 'Forbidden (user=system:serviceaccount:default:watcher, verb=get, resource=nodes, subresource=proxy)' });
  });

  it('a caller without a certificate or token gets 401 from the kubelet', async () => {
    const r = await direct('/pods');
    assert.equal(r.status, 401);
    assert.equal(r.body, 'Unauthorized');
    const bad = await direct('/pods', { headers: { Authorization: 'Bearer not-a-token' } });
    assert.equal(bad.status, 401);
  });

  it('a ServiceAccount without nodes/proxy gets 403 from the kubelet; with it, 200', async () => {
    const r = await direct('/pods', { headers: { Authorization: `Bearer ${saToken}` } });
    assert.equal(r.status, 403);
    assert.equal(r.body, 'Forbidden (user=system:serviceaccount:default:watcher, verb=get, resource=nodes, subresource=proxy)');
    const s = await direct('/stats/summary', { headers: { Authorization: `Bearer ${saToken}` } });
    assert.equal(s.status, 403);
    assert.match(s.body, /subresource=stats\)$/);
    const ctx = newContext();
    const rbac = (resource: string) => t.cluster.api.store('rbac.authorization.k8s.io', resource);
    await rbac('clusterroles').create(ctx, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'node-stats' }, rules: [{ apiGroups: [''], resources: ['nodes/stats'], verbs: ['get'] }] } as never);
    await rbac('clusterrolebindings').create(ctx, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'node-stats' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'node-stats' }, subjects: [{ kind: 'ServiceAccount', name: 'watcher', namespace: 'default' }] } as never);
    // The kubelet caches a denial for 30 s, as upstream, per user and credential: a new token
    // (another credential id) is asked about afresh.
    const api = t.cluster.api;
    const sa = (await api.store('', 'serviceaccounts').get('default', 'watcher')).obj;
    const fresh = api.serviceAccountTokens.sign(boundClaims({ issuer: api.serviceAccountTokens.issuer, serviceAccount: { namespace: 'default', name: 'watcher', uid: sa.metadata.uid! }, audiences: api.serviceAccountTokens.apiAudiences, expirationSeconds: 1800 }));
    const ok = await direct('/stats/summary', { headers: { Authorization: `Bearer ${fresh}` } });
    assert.equal(ok.status, 200, ok.body);
    assert.equal((JSON.parse(ok.body) as { node: { nodeName: string } }).node.nodeName, NODE);
    assert.equal((await direct('/pods', { headers: { Authorization: `Bearer ${fresh}` } })).status, 403, 'nodes/stats is not nodes/proxy');
  });

  it('the admin certificate is let in directly', async () => {
    const r = await direct('/healthz', { cert: credentials(t.kubeconfig) });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok');
  });

  it('hostile requests get a 4xx and the kubelet keeps serving', async () => {
    const admin = { cert: credentials(t.kubeconfig) };
    const cases: [string, Parameters<typeof direct>[1], number][] = [
      ['/containerLogs/default/web/../../../etc/passwd', admin, 404],
      ['/containerLogs/default/web/%2e%2e', admin, 404],
      ['/containerLogs/default/web/app%zz', admin, 400],
      ['/containerLogs/default/web/app?tailLines=abc', admin, 400],
      ['/containerLogs/default/web/app?tailLines=-1', admin, 422],
      ['/containerLogs/default/web/app?sinceSeconds=1&sinceTime=2020-01-01T00:00:00Z', admin, 422],
      ['/exec/default/web/app?command=true&stdout=true', admin, 400],
      ['/portForward/default/web', admin, 400],
      ['/no/such/endpoint', admin, 404],
      ['/pods', { ...admin, method: 'POST', body: Buffer.alloc(8 << 20, 120) }, 405],
      ['/pods', { ...admin, headers: { 'X-Big': 'x'.repeat(64 << 10) } }, 431],
    ];
    for (const [path, o, status] of cases) {
      const r = await direct(path, o).catch((e: Error) => ({ status: -1, body: e.message }));
      assert.equal(r.status, status, `${o?.method ?? 'GET'} ${path.slice(0, 80)}: ${r.body.slice(0, 200)}`);
    }
    // A TLS client that sends garbage instead of HTTP.
    await new Promise<void>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port: t.kubelet.port, ca, servername: NODE }, () => s.end('\x00\x01 garbage\r\n\r\n'));
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      s.resume();
    });
    assert.equal((await direct('/healthz', admin)).status, 200);
  });
});
