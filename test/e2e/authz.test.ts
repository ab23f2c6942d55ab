// Who may do what on a real `kubesvc up`: the admin kubeconfig may do everything, a certificate
// the cluster CA signed for anyone else (CN=nobody) may read discovery and nothing more (403 in
// upstream's words, through raw HTTPS and through kubectl), and a certificate from another CA is
// no identity at all (401; no credential at all is system:anonymous, 403). The data dir starts as one from before authorization existed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import { readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { ensurePki, issueClientCertificate } from '../../src/apiserver/pki.js';
import { writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { startCluster, kubectl, credentials, tempDir, type Cluster } from './harness.js';

interface Identity {
  cert: string;
  key: string;
}

interface Answer {
  status: number;
  body: string;
  json(): any;
}

function call(c: Cluster, who: Identity | undefined, method: string, path: string, opts: { body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const ca = credentials(c.kubeconfig).ca;
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, c.url),
      {
        method,
        ca,
        agent: false,
        ...(who ?? {}),
        headers: { ...(opts.body ? { 'Content-Type': 'application/json' } : {}), ...opts.headers },
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, json: () => JSON.parse(body) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 10s`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** One request written byte for byte, so its target reaches the server exactly as given. */
function rawRequest(c: Cluster, who: Identity, method: string, target: string): Promise<Answer> {
  const ca = credentials(c.kubeconfig).ca;
  const { hostname, port } = new URL(c.url);
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: hostname, port: Number(port), ca, ...who, servername: 'localhost' }, () => {
      s.end(`${method} ${target} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    s.setEncoding('utf8');
    s.setTimeout(10_000, () => s.destroy(new Error(`${target}: no answer in 10s`)));
    s.on('data', (d: string) => (data += d));
    s.on('error', reject);
    s.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      const body = data.slice(data.indexOf('\r\n\r\n') + 4);
      resolve({ status, body, json: () => JSON.parse(body) });
    });
  });
}

const svc = (name: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }] } });

describe('authorization of client-certificate identities', () => {
  let c: Cluster;
  let dataDir: string;
  let otherCADir: string;
  let oldAdmin: Identity;
  let nobody: Identity;
  let admin: Identity;
  let nobodyKubeconfig: string;

  before(async () => {
    dataDir = tempDir();
    otherCADir = tempDir();
    // A data dir as kubesvc wrote it before authorization: its admin certificate is O=system:masters.
    await ensurePki(dataDir, { sans: { dns: [], ips: [] } });
    const old = await issueClientCertificate(dataDir, 'kubesvc-admin', ['system:masters']);
    writeFileSync(join(dataDir, 'pki', 'admin.crt'), old.certPem);
    writeFileSync(join(dataDir, 'pki', 'admin.key'), old.keyPem, { mode: 0o600 });
    oldAdmin = { cert: old.certPem, key: old.keyPem };
    c = await startCluster({ dataDir });
    admin = { cert: credentials(c.kubeconfig).cert, key: credentials(c.kubeconfig).key };
    const n = await issueClientCertificate(dataDir, 'nobody');
    nobody = { cert: n.certPem, key: n.keyPem };
    nobodyKubeconfig = join(dataDir, 'nobody.kubeconfig');
    writeKubeconfig(nobodyKubeconfig, { server: c.url, caPem: credentials(c.kubeconfig).ca, certPem: n.certPem, keyPem: n.keyPem, user: 'nobody' });
    const svcCreated = await call(c, admin, 'POST', '/api/v1/namespaces/default/services', { body: svc('web') });
    assert.equal(svcCreated.status, 201, svcCreated.body);
  });

  after(async () => {
    await c?.destroy();
    for (const d of [dataDir, otherCADir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('writes the admin kubeconfig for kubernetes-admin in kubeadm:cluster-admins, without the CA key', () => {
    const subject = new X509Certificate(admin.cert).subject.split('\n').sort();
    assert.deepEqual(subject, ['CN=kubernetes-admin', 'O=kubeadm:cluster-admins']);
    const text = readFileSync(c.kubeconfig, 'utf8');
    const caKey = readFileSync(join(dataDir, 'pki', 'ca.key'), 'utf8');
    assert.ok(!text.includes(Buffer.from(caKey).toString('base64')) && !text.includes('PRIVATE KEY-----\n' + caKey.split('\n')[1]));
    assert.equal(statSync(join(dataDir, 'pki')).mode & 0o777, 0o700);
    for (const f of ['ca.key', 'apiserver.key', 'admin.key']) assert.equal(statSync(join(dataDir, 'pki', f)).mode & 0o777, 0o600, f);
  });

  it('lets the admin kubeconfig do everything (kubectl and raw HTTPS)', async () => {
    const get = kubectl(c, ['get', 'svc', 'web', '-o', 'jsonpath={.metadata.name}']);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout, 'web');
    assert.equal((await call(c, admin, 'GET', '/api/v1/nodes')).status, 200);
    assert.equal((await call(c, admin, 'GET', '/')).status, 200);
  });

  it('keeps accepting the admin certificate issued before (system:masters)', async () => {
    const r = await call(c, oldAdmin, 'GET', '/api/v1/namespaces/default/services/web');
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json().metadata.name, 'web');
  });

  it('refuses CN=nobody list, get, watch, create, update and delete with upstream\'s 403 Status', async () => {
    const cases: [string, string, string | undefined, string, Record<string, string>][] = [
      ['GET', '/api/v1/namespaces/default/services', undefined,
        'services is forbidden: User "nobody" cannot list resource "services" in API group "" in the namespace "default"', { kind: 'services' }],
      ['GET', '/api/v1/namespaces/default/services/web', undefined,
        'services "web" is forbidden: User "nobody" cannot get resource "services" in API group "" in the namespace "default"', { name: 'web', kind: 'services' }],
      ['GET', '/api/v1/namespaces/default/services?watch=1', undefined,
        'services is forbidden: User "nobody" cannot watch resource "services" in API group "" in the namespace "default"', { kind: 'services' }],
      ['POST', '/api/v1/namespaces/default/services', svc('sneaky'),
        'services is forbidden: User "nobody" cannot create resource "services" in API group "" in the namespace "default"', { kind: 'services' }],
      ['PUT', '/api/v1/namespaces/default/services/web/status', svc('web'),
        'services "web" is forbidden: User "nobody" cannot update resource "services/status" in API group "" in the namespace "default"', { name: 'web', kind: 'services' }],
      ['DELETE', '/api/v1/namespaces/default', undefined,
        'namespaces "default" is forbidden: User "nobody" cannot delete resource "namespaces" in API group "" in the namespace "default"', { name: 'default', kind: 'namespaces' }],
      ['GET', '/api/v1/nodes', undefined,
        'nodes is forbidden: User "nobody" cannot list resource "nodes" in API group "" at the cluster scope', { kind: 'nodes' }],
      ['GET', '/apis/apps/v1/namespaces/default/deployments', undefined,
        'deployments.apps is forbidden: User "nobody" cannot list resource "deployments" in API group "apps" in the namespace "default"', { group: 'apps', kind: 'deployments' }],
      // A resource that does not exist is refused as one that does: a 404 would tell what is served.
      ['GET', '/apis/no.such.group/v1/widgets', undefined,
        'widgets.no.such.group is forbidden: User "nobody" cannot list resource "widgets" in API group "no.such.group" at the cluster scope', { group: 'no.such.group', kind: 'widgets' }],
    ];
    for (const [method, path, body, message, details] of cases) {
      const r = await call(c, nobody, method, path, body ? { body } : {});
      assert.equal(r.status, 403, `${method} ${path}: ${r.body}`);
      assert.deepEqual(r.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Forbidden', details, code: 403 }, `${method} ${path}`);
    }
    // Nothing it tried happened.
    assert.equal((await call(c, admin, 'GET', '/api/v1/namespaces/default/services/sneaky')).status, 404);
    assert.equal((await call(c, admin, 'GET', '/api/v1/namespaces/default')).json().status.phase, 'Active');
  });

  it('lets CN=nobody read discovery and /version (system:discovery), but not /', async () => {
    for (const path of ['/api', '/api/v1', '/apis', '/apis/apps/v1', '/version', '/openapi/v2']) {
      const r = await call(c, nobody, 'GET', path);
      assert.equal(r.status, 200, `${path}: ${r.body.slice(0, 200)}`);
    }
    const root = await call(c, nobody, 'GET', '/');
    assert.equal(root.status, 403);
    assert.deepEqual(root.json(), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'forbidden: User "nobody" cannot get path "/"', reason: 'Forbidden', details: {}, code: 403,
    });
  });

  it('judges a request both as sent and as served: `\\` and dot segments reach nothing more', async () => {
    // Sent over a raw TLS socket: an HTTP client library would normalise these paths itself.
    const cases: [string, number, string][] = [
      ['/api/v1\\namespaces\\default\\services', 403, 'services is forbidden: User "nobody" cannot list resource "services" in API group "" in the namespace "default"'],
      ['/api/..', 403, 'forbidden: User "nobody" cannot get path "/"'],
      ['/api/%2e%2e', 403, 'forbidden: User "nobody" cannot get path "/"'],
      ['/apis/x/%2e%2e/%2e%2e/api/v1/namespaces/default/services', 403, ''],
      ['/version/..%2fapi%2fv1%2fnamespaces%2fdefault%2fservices', 403, ''],
    ];
    for (const [target, code, message] of cases) {
      const r = await rawRequest(c, nobody, 'GET', target);
      assert.equal(r.status, code, `${target}: ${r.body}`);
      if (message) assert.equal(r.json().message, message, target);
      assert.ok(!r.body.includes('ServiceList'), target);
    }
  });

  it('refuses CN=nobody exec before upgrading the connection', async () => {
    const r = await call(c, nobody, 'GET', '/api/v1/namespaces/default/pods/p/exec?command=ls&stdout=true', {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' },
    });
    assert.equal(r.status, 403, r.body);
    assert.equal(r.json().message, 'pods "p" is forbidden: User "nobody" cannot get resource "pods/exec" in API group "" in the namespace "default"');
  });

  it('kubectl with a CN=nobody kubeconfig: discovery works, everything else is Forbidden', () => {
    const k = { kubeconfig: nobodyKubeconfig, dataDir: join(dataDir, 'nobody-home') };
    const get = kubectl(k, ['get', 'svc']);
    assert.equal(get.code, 1);
    assert.equal(
      get.stderr.trim(),
      'Error from server (Forbidden): services is forbidden: User "nobody" cannot list resource "services" in API group "" in the namespace "default"',
    );
    const del = kubectl(k, ['delete', 'svc', 'web']);
    assert.equal(del.code, 1);
    assert.match(del.stderr, /Error from server \(Forbidden\): services "web" is forbidden: User "nobody" cannot delete resource "services" in API group "" in the namespace "default"/);
    const resources = kubectl(k, ['api-resources', '-o', 'name']);
    assert.equal(resources.code, 0, resources.stderr);
    assert.match(resources.stdout, /^services$/m);
    assert.equal(kubectl(c, ['get', 'svc', 'web', '-o', 'name']).stdout.trim(), 'service/web', 'still there');
  });

  it('honours impersonation only for those allowed it: `kubectl --as`', () => {
    const k = { kubeconfig: nobodyKubeconfig, dataDir: join(dataDir, 'nobody-home') };
    const asNobody = kubectl(c, ['get', 'svc', '--as', 'nobody']);
    assert.equal(asNobody.code, 1);
    assert.match(asNobody.stderr, /Error from server \(Forbidden\): services is forbidden: User "nobody" cannot list resource "services" in API group "" in the namespace "default"/);
    const asMaster = kubectl(c, ['get', 'svc', 'web', '-o', 'name', '--as', 'jane', '--as-group', 'system:masters']);
    assert.equal(asMaster.code, 0, asMaster.stderr);
    const escalate = kubectl(k, ['get', 'svc', '--as', 'kubernetes-admin']);
    assert.equal(escalate.code, 1);
    assert.match(escalate.stderr, /users "kubernetes-admin" is forbidden: User "nobody" cannot impersonate resource "users" in API group "" at the cluster scope/);
  });

  it('answers 401 to a certificate from another CA and the serving certificate; no certificate or no CommonName is anonymous (403)', async () => {
    const other = await ensurePki(otherCADir, { sans: { dns: [], ips: [] } });
    const noCN = await issueClientCertificate(dataDir, '', ['system:masters']);
    const serving = { cert: readFileSync(join(dataDir, 'pki', 'apiserver.crt'), 'utf8'), key: readFileSync(join(dataDir, 'pki', 'apiserver.key'), 'utf8') };
    // Upstream's --anonymous-auth=true: a certificate naming no one, like none at all, is system:anonymous.
    const anonymousDenied = 'services is forbidden: User "system:anonymous" cannot list resource "services" in API group "" in the namespace "default"';
    for (const [what, who, code, message] of [
      ['another CA', { cert: other.adminCert, key: other.adminKey }, 401, 'Unauthorized'],
      ['serverAuth only', serving, 401, 'Unauthorized'],
      ['no CommonName', { cert: noCN.certPem, key: noCN.keyPem }, 403, anonymousDenied],
      ['no certificate', undefined, 403, anonymousDenied],
    ] as [string, Identity | undefined, number, string][]) {
      const r = await call(c, who, 'GET', '/api/v1/namespaces/default/services');
      assert.equal(r.status, code, `${what}: ${r.body}`);
      assert.equal(r.json().message, message, what);
    }
    const otherKubeconfig = join(otherCADir, 'kubeconfig.yaml');
    writeKubeconfig(otherKubeconfig, { server: c.url, caPem: credentials(c.kubeconfig).ca, certPem: other.adminCert, keyPem: other.adminKey });
    const r = kubectl({ kubeconfig: otherKubeconfig, dataDir: otherCADir }, ['get', 'svc']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: You must be logged in to the server \(the server has asked for the client to provide credentials\)/);
  });
});
