import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { ensurePki, type Pki } from '../../../src/apiserver/pki.js';
import { writeKubeconfig } from '../../../src/apiserver/kubeconfig.js';

const version = { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' };

async function startServer(pki: Pki): Promise<{ server: Server; url: string }> {
  const server = createServer(
    { cert: pki.servingCert, key: pki.servingKey, ca: pki.caCert, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      if (!(req.socket as TLSSocket).authorized) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
        return;
      }
      if (new URL(req.url ?? '/', 'https://x').pathname === '/version') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(version));
        return;
      }
      res.writeHead(404).end();
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function get(url: string, tls: { ca: string; cert?: string; key?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/version`, { ...tls, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the serving certificate authenticates the server and the admin certificate the client', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-kc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pki = await ensurePki(dir, { sans: { dns: [], ips: [] } });
  const { server, url } = await startServer(pki);
  t.after(() => server.close());

  const withCert = await get(url, { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey });
  assert.equal(withCert.status, 200);
  assert.deepEqual(JSON.parse(withCert.body), version);
  // Server name checked against the SANs: "localhost" must verify too.
  const byName = await get(url.replace('127.0.0.1', 'localhost'), { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey });
  assert.equal(byName.status, 200);
  const anonymous = await get(url, { ca: pki.caCert });
  assert.equal(anonymous.status, 401);
});

test('kubectl uses the written kubeconfig as is', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-kc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pki = await ensurePki(dir, { sans: { dns: [], ips: [] } });
  const { server, url } = await startServer(pki);
  t.after(() => server.close());
  const path = join(dir, 'kubeconfig.yaml');
  writeKubeconfig(path, { server: url, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey });

  assert.equal(statSync(path).mode & 0o777, 0o600);
  const doc = parse(readFileSync(path, 'utf8'));
  assert.equal(doc['current-context'], 'kubesvc');
  assert.deepEqual(doc.contexts, [{ context: { cluster: 'kubesvc', user: 'kubesvc-admin' }, name: 'kubesvc' }]);
  assert.equal(Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), pki.caCert);

  const { stdout } = await promisify(execFile)('/usr/bin/kubectl', ['--kubeconfig', path, 'version', '-o', 'json'], {
    env: { ...process.env, KUBECONFIG: '' },
    timeout: 30_000,
  });
  const out = JSON.parse(stdout);
  assert.equal(out.serverVersion.major, '1');
  assert.equal(out.serverVersion.minor, '32');
  assert.equal(out.serverVersion.gitVersion, 'v1.32.0');
  assert.match(out.clientVersion.gitVersion, /^v1\.32\./, 'the dispatcher picked kubectl 1.32');
});

test('a custom name names the cluster and context, and the user after it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-kc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'sub', 'config');
  writeKubeconfig(path, { server: 'https://127.0.0.1:6443', caPem: 'ca', certPem: 'cert', keyPem: 'key', name: 'dev' });
  const doc = parse(readFileSync(path, 'utf8'));
  assert.equal(doc['current-context'], 'dev');
  assert.equal(doc.clusters[0].name, 'dev');
  assert.equal(doc.users[0].name, 'dev-admin');
  assert.equal(Buffer.from(doc.users[0].user['client-key-data'], 'base64').toString(), 'key');
});
