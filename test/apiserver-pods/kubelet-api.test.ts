// The kubelet API as callers meet it: the admin through the API server's nodes/proxy, and callers
// who dial the kubelet directly — without credentials (401), with a ServiceAccount token that may
// not use nodes/proxy (403 from the kubelet's SubjectAccessReview), with the admin certificate —
// and hostile requests that must end in a 4xx, never a crash.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { join } from 'node:path';
import { boundClaims } from '../../src/apiserver/auth/serviceaccount/claims.js';
import { newContext } from '../../src/apiserver/store/context.js';
import { NODE, createPod, kubectl, startTestCluster, type TestCluster } from './fixture.js';

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
  let t: TestCluster;
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
    t = await startTestCluster();
    ca = readFileSync(join(t.dir, 'pki', 'ca.crt'), 'utf8');
    await createPod(t, 'web', ['app']);
    const api = t.cluster.api;
    const sa = await api.store('', 'serviceaccounts').create(newContext({ namespace: 'default' }), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'watcher', namespace: 'default' } });
    saToken = api.serviceAccountTokens.sign(
      boundClaims({ issuer: api.serviceAccountTokens.issuer, serviceAccount: { namespace: 'default', name: 'watcher', uid: sa.metadata.uid! }, audiences: api.serviceAccountTokens.apiAudiences, expirationSeconds: 3600 }),
    );
  });
  after(async () => t?.stop());

  it('the admin reads /pods, /stats/summary and /healthz through nodes/proxy', async () => {
    const pods = await kubectl(t, ['get', '--raw', `/api/v1/nodes/${NODE}/proxy/pods`]);
    assert.equal(pods.code, 0, pods.stderr);
    const list = JSON.parse(pods.stdout) as { kind: string; items: { metadata: { name: string } }[] };
    assert.equal(list.kind, 'PodList');
    assert.deepEqual(list.items.map((p) => p.metadata.name), ['web']);
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
