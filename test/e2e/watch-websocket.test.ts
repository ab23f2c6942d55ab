// Watches over WebSocket, as browsers (the live view) make them: one JSON watch event per text
// message, the token as Kubernetes' bearer subprotocol next to a second subprotocol that is echoed
// back; refusals before the handshake are plain HTTP, parameter errors after it one ERROR message.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { startCluster, kubectlOk, kubesvcBin, credentials, type Cluster } from './harness.js';

interface Opened {
  ws: WebSocket;
  protocol: string;
  next(timeoutMs?: number): Promise<any>;
}

function open(c: Cluster, path: string, opts: { protocols?: string[]; cert?: boolean } = {}): Promise<Opened | { refused: number }> {
  const cred = credentials(c.kubeconfig);
  const ws = new WebSocket(`${c.url.replace('https:', 'wss:')}${path}`, opts.protocols ?? ['watch.kubesvc.io'], {
    ca: cred.ca,
    ...(opts.cert === false ? {} : { cert: cred.cert, key: cred.key }),
  });
  const queue: any[] = [];
  const waiters: ((m: any) => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d));
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        protocol: ws.protocol,
        next: (timeoutMs = 5000) =>
          queue.length
            ? Promise.resolve(queue.shift())
            : new Promise((res, rej) => {
                const t = setTimeout(() => rej(new Error('no message')), timeoutMs);
                waiters.push((m) => {
                  clearTimeout(t);
                  res(m);
                });
              }),
      }),
    );
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ refused: res.statusCode ?? 0 });
    });
    ws.once('error', reject);
  });
}

const bearer = (token: string) => `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`;

describe('watch over WebSocket', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('sends one watch event per message, from the resourceVersion asked for, and echoes the subprotocol', async () => {
    const list = JSON.parse(kubectlOk(c, ['get', 'configmaps', '-n', 'default', '-o', 'json']));
    const w = await open(c, `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${list.metadata.resourceVersion}`);
    assert.ok('ws' in w);
    assert.equal(w.protocol, 'watch.kubesvc.io');
    kubectlOk(c, ['create', 'configmap', 'ws-one', '--from-literal=a=1']);
    // (kube-root-ca.crt may arrive first: the publisher fills a new cluster's namespaces.)
    let added = await w.next();
    while (added.object.metadata.name !== 'ws-one') added = await w.next();
    assert.equal(added.type, 'ADDED');
    assert.equal(added.object.metadata.name, 'ws-one');
    assert.deepEqual(added.object.data, { a: '1' });
    kubectlOk(c, ['delete', 'configmap', 'ws-one']);
    const deleted = await w.next();
    assert.equal(deleted.type, 'DELETED');
    assert.equal(deleted.object.metadata.name, 'ws-one');
    // The client closing ends the watch; the server goes on serving.
    w.ws.close();
    assert.equal(kubectlOk(c, ['get', '--raw', '/readyz']), 'ok');
  });

  it("takes a browser's bearer token as a subprotocol, with the token's permissions", async () => {
    const link = spawnSync(kubesvcBin, ['ui', '--data-dir', c.dataDir], { encoding: 'utf8' });
    assert.equal(link.status, 0, link.stderr);
    const token = new URLSearchParams(new URL(link.stdout.trim()).hash.slice(1)).get('token')!;
    const pods = await open(c, '/api/v1/pods?watch=1', { cert: false, protocols: [bearer(token), 'watch.kubesvc.io'] });
    assert.ok('ws' in pods, `refused ${(pods as { refused: number }).refused}`);
    assert.equal(pods.protocol, 'watch.kubesvc.io', 'the token is not echoed back');
    pods.ws.close();
    // The viewer may not read Secrets: refused before the handshake, as plain HTTP.
    assert.deepEqual(await open(c, '/api/v1/secrets?watch=1', { cert: false, protocols: [bearer(token), 'watch.kubesvc.io'] }), { refused: 403 });
    // A token alone, with no second subprotocol, is refused (upstream: "missing additional subprotocol").
    assert.deepEqual(await open(c, '/api/v1/pods?watch=1', { cert: false, protocols: [bearer(token)] }), { refused: 401 });
    assert.deepEqual(await open(c, '/api/v1/pods?watch=1', { cert: false, protocols: [bearer('not-a-token'), 'watch.kubesvc.io'] }), { refused: 401 });
    assert.deepEqual(await open(c, '/api/v1/pods?watch=1', { cert: false, protocols: ['base64url.bearer.authorization.k8s.io.%%%', 'watch.kubesvc.io'] }), { refused: 401 });
    // Anonymous callers may not watch pods.
    assert.deepEqual(await open(c, '/api/v1/pods?watch=1', { cert: false }), { refused: 403 });
  });

  it('answers bad requests: an ERROR message for a bad parameter, 400 for what is not a watch', async () => {
    const bad = await open(c, '/api/v1/configmaps?watch=1&resourceVersion=abc');
    assert.ok('ws' in bad);
    const m = await bad.next();
    assert.equal(m.type, 'ERROR');
    assert.equal(m.object.kind, 'Status');
    assert.ok(m.object.code >= 400 && m.object.code < 500, `code ${m.object.code}`);
    const selector = await open(c, '/api/v1/configmaps?watch=1&labelSelector=%3D%3D%3D');
    assert.ok('ws' in selector);
    assert.equal((await selector.next()).object.code, 400);
    // Not a watch (a plain list, one object, a subresource): no upgrade.
    for (const p of ['/api/v1/configmaps', '/api/v1/namespaces/default/configmaps/x?watch=1', '/api/v1/namespaces/default/pods/x/status?watch=1', '/api/v1/nosuch?watch=1']) {
      const r = await open(c, p);
      assert.ok('refused' in r && r.refused >= 400 && r.refused < 500, `${p}: ${JSON.stringify('refused' in r ? r : 'opened')}`);
    }
    assert.equal(kubectlOk(c, ['get', '--raw', '/readyz']), 'ok');
  });
});
