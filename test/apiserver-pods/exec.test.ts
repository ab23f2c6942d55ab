// pods/exec through the real kubectl 1.32 (WebSocket, v5.channel.k8s.io): output streams, exit
// codes, stdin with EOF, and upstream's errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import WebSocket from 'ws';
import { boundClaims } from '../../src/apiserver/auth/serviceaccount/claims.js';
import { newContext } from '../../src/apiserver/store/context.js';
import { createPod, eventually, kubectl, startKubectl, startTestCluster, waiting, type TestCluster } from './fixture.js';

describe('pods/exec', () => {
  let t: TestCluster;
  before(async () => {
    t = await startTestCluster();
    await createPod(t, 'web', ['app']);
    await createPod(t, 'starting', ['app'], [waiting('app', 'ContainerCreating')]);
    await createPod(t, 'unbound', ['app'], undefined, '');
  });
  after(async () => t?.stop());

  it('separates stdout and stderr and reports the exit code', async () => {
    const r = await kubectl(t, ['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /^err\n/);
    assert.match(r.stderr, /command terminated with exit code 3/);
    assert.equal(r.code, 3);
    const req = t.node.execs.at(-1)!;
    assert.deepEqual(req, { namespace: 'default', pod: 'web', container: 'app', command: ['sh', '-c', 'echo out; echo err >&2; exit 3'], stdin: false, tty: false });
  });

  it('a successful command exits 0', async () => {
    const r = await kubectl(t, ['exec', 'web', '--', 'echo', 'hello']);
    assert.equal(r.stdout, 'hello\n');
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
  });

  it('passes stdin and its end (kubectl exec -i)', async () => {
    const r = await kubectl(t, ['exec', '-i', 'web', '--', 'sh', '-c', 'cat; echo done'], 'line 1\nline 2\n');
    assert.equal(r.stdout, 'line 1\nline 2\ndone\n');
    assert.equal(r.code, 0);
    assert.equal(t.node.execs.at(-1)!.stdin, true);
  });

  it('carries large output intact', async () => {
    const r = await kubectl(t, ['exec', 'web', '--', 'sh', '-c', 'head -c 3000000 /dev/zero | tr "\\0" x']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.length, 3_000_000);
    assert.match(r.stdout, /^x+$/);
  });

  it('kubectl cp works both ways (tar over exec stdin and stdout)', async () => {
    // The fake node runs commands on this host, so the "container" filesystem is this one.
    const dir = mkdtempSync(join(tmpdir(), 'kubesvc-cp-'));
    try {
      const payload = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 256));
      writeFileSync(join(dir, 'src.bin'), payload);
      const down = await kubectl(t, ['cp', `web:${join(dir, 'src.bin')}`, join(dir, 'down.bin')]);
      assert.equal(down.code, 0, down.stderr);
      assert.deepEqual(readFileSync(join(dir, 'down.bin')), payload);
      const up = await kubectl(t, ['cp', join(dir, 'down.bin'), `web:${join(dir, 'up.bin')}`]);
      assert.equal(up.code, 0, up.stderr);
      assert.deepEqual(readFileSync(join(dir, 'up.bin')), payload);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a command that cannot start ends with an error, not a hang', async () => {
    const r = await kubectl(t, ['exec', 'web', '--', '/no/such/command']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ENOENT/);
  });

  it('an unknown container is a BadRequest', async () => {
    const r = await kubectl(t, ['exec', 'web', '-c', 'nope', '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container nope is not valid for pod web/);
  });

  it('a container that is not running is not found', async () => {
    const r = await kubectl(t, ['exec', 'starting', '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unable to upgrade connection: container not found \("app"\)/);
  });

  it('a pod without a node has no host assigned', async () => {
    const r = await kubectl(t, ['exec', 'unbound', '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pod unbound does not have a host assigned/);
  });

  it('kubectl attach streams what the container writes until kubectl goes away', async () => {
    const p = startKubectl(t, ['attach', 'web']);
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await eventually('the attach to reach the node', () => t.node.attaches.length > 0 && t.node.followers.size > 0);
    assert.deepEqual(t.node.attaches.at(-1), { namespace: 'default', pod: 'web', container: 'app', stdin: false, tty: false });
    t.node.append('written after attach');
    await eventually('the line to arrive', () => out.includes('written after attach\n'));
    const closed = t.node.closedFollowers;
    p.kill('SIGKILL');
    await eventually('the node to see the client go', () => t.node.closedFollowers > closed);
  });

  it('attach to a container that is not running is not found, as exec', async () => {
    const r = await kubectl(t, ['get', '--raw', '/api/v1/namespaces/default/pods/starting/attach?stdout=true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Upgrade request required/);
    const none = await kubectl(t, ['get', '--raw', '/api/v1/namespaces/default/pods/web/attach']);
    assert.match(none.stderr, /you must specify at least 1 of stdin, stdout, stderr/);
  });

  it('a plain GET is told an upgrade is required', async () => {
    const r = await kubectl(t, ['get', '--raw', '/api/v1/namespaces/default/pods/web/exec?command=true&stdout=true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Upgrade request required/);
  });
});

describe('pods/exec protocol details', () => {
  let t: TestCluster;
  before(async () => {
    t = await startTestCluster();
    await createPod(t, 'web', ['app']);
    await createPod(t, 'elsewhere', ['app'], undefined, 'node-without-agent');
  });
  after(async () => t?.stop());

  it('kubectl 1.32 negotiates v5.channel.k8s.io over WebSocket', async () => {
    const r = await kubectl(t, ['exec', 'web', '-v=4', '--', 'true']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /The subprotocol is v5\.channel\.k8s\.io/);
  });

  it('the command is killed when kubectl goes away', async () => {
    const p = startKubectl(t, ['exec', 'web', '--', 'sleep', '30']);
    await eventually('the command to start', () => t.node.execs.some((e) => e.command[1] === '30'));
    const child = t.node.children.at(-1)!;
    p.kill('SIGKILL');
    await eventually('the command to be killed', () => child.exitCode !== null || child.signalCode !== null);
  });

  it('a node without an agent: NotFound for an unknown Node, as upstream', async () => {
    const r = await kubectl(t, ['exec', 'elsewhere', '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /nodes "node-without-agent" not found/);
  });

  it('SPDY-only clients are told which protocols are served', async () => {
    const r = await rawUpgrade(t, '/api/v1/namespaces/default/pods/web/exec?command=true&stdout=true', {
      Connection: 'Upgrade',
      Upgrade: 'SPDY/3.1',
      'X-Stream-Protocol-Version': 'v4.channel.k8s.io',
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.reason, 'BadRequest');
    assert.match(r.body.message, /^unable to upgrade: unable to negotiate protocol: client supports \[v4\.channel\.k8s\.io\] over SPDY\/3\.1, server accepts \[v5\.channel\.k8s\.io v4\.channel\.k8s\.io\]/);
  });

  it('a ServiceAccount token in the WebSocket subprotocol authenticates exec (browsers cannot set headers)', async () => {
    const ctx = newContext({ namespace: 'default' });
    const api = t.cluster.api;
    const sa = await api.store('', 'serviceaccounts').create(ctx, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'exec-bot', namespace: 'default' } });
    const token = api.serviceAccountTokens.sign(boundClaims({
      issuer: api.serviceAccountTokens.issuer,
      serviceAccount: { namespace: 'default', name: 'exec-bot', uid: sa.metadata.uid! },
      audiences: api.serviceAccountTokens.apiAudiences,
      expirationSeconds: 3600,
    }));
    const path = '/api/v1/namespaces/default/pods/web/exec?command=true&stdout=true';
    const denied = await wsExec(t, path, token);
    assert.equal(denied.status, 403);
    assert.match(JSON.parse(denied.body).message, /User "system:serviceaccount:default:exec-bot" cannot (create|get) resource "pods\/exec"/);
    await api.store('rbac.authorization.k8s.io', 'roles').create(ctx, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'exec', namespace: 'default' }, rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] }] } as never);
    await api.store('rbac.authorization.k8s.io', 'rolebindings').create(ctx, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'exec', namespace: 'default' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'exec' }, subjects: [{ kind: 'ServiceAccount', name: 'exec-bot', namespace: 'default' }] } as never);
    const allowed = await wsExec(t, path, token);
    assert.equal(allowed.status, 101, allowed.body);
    // The token's protocol was taken out of the offer: the server chose the channel protocol.
    assert.equal(allowed.protocol, 'v5.channel.k8s.io');
  });

  it('upgrades need credentials: anonymous ones are forbidden, a bad bearer token is unauthorized', async () => {
    const path = '/api/v1/namespaces/default/pods/web/exec?command=true&stdout=true';
    const anonymous = await rawUpgrade(t, path, { Connection: 'Upgrade', Upgrade: 'websocket' }, true);
    assert.equal(anonymous.status, 403);
    assert.match(anonymous.body.message, /^pods "web" is forbidden: User "system:anonymous" cannot (create|get) resource "pods\/exec"/);
    const bad = await rawUpgrade(t, path, {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Protocol': `v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.${Buffer.from('not-a-token').toString('base64url')}`,
    }, true);
    assert.equal(bad.status, 401);
    assert.equal(bad.body.reason, 'Unauthorized');
  });
});

/** A WebSocket exec with no client certificate, the token as a subprotocol: 101 and the protocol, or the refusal. */
function wsExec(t: TestCluster, path: string, token: string): Promise<{ status: number; protocol: string; body: string }> {
  const text = readFileSync(t.kubeconfig, 'utf8');
  const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(text)![1]!, 'base64').toString('utf8');
  const url = t.cluster.api.url.replace('https:', 'wss:') + path;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['v5.channel.k8s.io', `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`], { ca });
    ws.on('open', () => {
      resolve({ status: 101, protocol: ws.protocol, body: '' });
      ws.close();
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, protocol: '', body }));
    });
    ws.on('error', (e) => reject(e));
  });
}

/** An upgrade request that is refused: the status and the Status body. */
async function rawUpgrade(
  t: TestCluster,
  path: string,
  headers: Record<string, string>,
  anonymous = false,
): Promise<{ status: number; body: { reason: string; message: string } }> {
  const text = readFileSync(t.kubeconfig, 'utf8');
  const field = (name: string) => Buffer.from(new RegExp(`${name}: (\\S+)`).exec(text)![1]!, 'base64').toString('utf8');
  const url = new URL(t.cluster.api.url);
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: url.hostname,
      port: url.port,
      path,
      method: 'POST',
      headers: { ...headers, 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13' },
      ca: field('certificate-authority-data'),
      ...(anonymous ? {} : { cert: field('client-certificate-data'), key: field('client-key-data') }),
    });
    req.on('response', (res) => {
      let b = '';
      res.on('data', (d: Buffer) => (b += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(b) as { reason: string; message: string } }));
    });
    req.on('upgrade', () => reject(new Error('unexpected upgrade')));
    req.on('error', reject);
    req.end();
  });
}
