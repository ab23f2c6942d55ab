import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureKubeletServingCertificate, ensurePki, issueClientCertificate } from '../../../src/apiserver/pki.js';

const noSans = { sans: { dns: [], ips: [] } };

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-pki-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('generates a CA, a serving certificate and the admin client certificate (kubeadm\'s admin.conf identity)', async (t) => {
  const dir = tempDir(t);
  const pki = await ensurePki(dir, { sans: { dns: ['node-1.example'], ips: ['192.0.2.7'] } });
  const ca = new X509Certificate(pki.caCert);
  assert.ok(ca.ca);
  assert.equal(ca.subject, 'CN=kubesvc-ca');
  assert.equal(ca.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const years = (Date.parse(ca.validTo) - Date.now()) / (365 * 24 * 3600 * 1000);
  assert.ok(years > 9.9 && years <= 10.01, `CA valid for ${years} years`);

  const serving = new X509Certificate(pki.servingCert);
  assert.ok(serving.verify(ca.publicKey));
  assert.ok(!serving.ca);
  assert.ok(serving.keyUsage?.includes('1.3.6.1.5.5.7.3.1'), 'serverAuth');
  for (const name of ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'node-1.example']) {
    assert.equal(serving.checkHost(name, { subject: 'never' }), name);
  }
  for (const ip of ['127.0.0.1', '::1', '192.0.2.7']) assert.ok(serving.checkIP(ip), ip);

  const admin = new X509Certificate(pki.adminCert);
  assert.ok(admin.verify(ca.publicKey));
  assert.deepEqual(admin.subject.split('\n').sort(), ['CN=kubernetes-admin', 'O=kubeadm:cluster-admins']);
  assert.ok(admin.keyUsage?.includes('1.3.6.1.5.5.7.3.2'), 'clientAuth');
  assert.ok(admin.checkPrivateKey((await import('node:crypto')).createPrivateKey(pki.adminKey)));

  for (const f of ['ca.key', 'apiserver.key', 'admin.key']) {
    assert.equal(statSync(join(dir, 'pki', f)).mode & 0o777, 0o600, `${f} is private`);
  }
  assert.equal(readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'), pki.caCert);
  assert.equal(statSync(join(dir, 'pki')).mode & 0o777, 0o700, 'pki/ is private');
  // The CA key never leaves pki.ts: nothing that gets the certificates can mint others.
  assert.ok(!Object.keys(pki).some((k) => /ca.?key/i.test(k)), `no CA key in ${Object.keys(pki).join(', ')}`);
  const caKey = readFileSync(join(dir, 'pki', 'ca.key'), 'utf8');
  assert.ok(!Object.values(pki).includes(caKey));
});

test('an admin certificate from before authorization (CN=kubesvc-admin, O=system:masters) is re-issued; loose modes are tightened', async (t) => {
  const dir = tempDir(t);
  const first = await ensurePki(dir, noSans);
  const old = await issueClientCertificate(dir, 'kubesvc-admin', ['system:masters']);
  assert.deepEqual(new X509Certificate(old.certPem).subject.split('\n').sort(), ['CN=kubesvc-admin', 'O=system:masters']);
  writeFileSync(join(dir, 'pki', 'admin.crt'), old.certPem);
  writeFileSync(join(dir, 'pki', 'admin.key'), old.keyPem);
  chmodSync(join(dir, 'pki'), 0o755);
  for (const f of ['ca.key', 'admin.key']) chmodSync(join(dir, 'pki', f), 0o644);
  const second = await ensurePki(dir, noSans);
  assert.equal(second.caCert, first.caCert, 'same CA: everything it signed stays trusted');
  assert.equal(second.servingCert, first.servingCert);
  assert.notEqual(second.adminCert, old.certPem);
  assert.deepEqual(new X509Certificate(second.adminCert).subject.split('\n').sort(), ['CN=kubernetes-admin', 'O=kubeadm:cluster-admins']);
  assert.equal(readFileSync(join(dir, 'pki', 'admin.crt'), 'utf8'), second.adminCert);
  assert.equal(statSync(join(dir, 'pki')).mode & 0o777, 0o700);
  for (const f of ['ca.key', 'apiserver.key', 'admin.key']) assert.equal(statSync(join(dir, 'pki', f)).mode & 0o777, 0o600, f);
});

test('issueClientCertificate: O= for each group then CN=, clientAuth only, signed by the cluster CA', async (t) => {
  const dir = tempDir(t);
  const pki = await ensurePki(dir, noSans);
  const c = await issueClientCertificate(dir, 'jane, "doe" \\ #1', ['#a=b', 'dev']);
  const cert = new X509Certificate(c.certPem);
  assert.ok(cert.verify(new X509Certificate(pki.caCert).publicKey));
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.ok(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(c.keyPem)));
  // Names are taken as they are, not as DN syntax.
  assert.equal(cert.toLegacyObject().subject.CN, 'jane, "doe" \\ #1');
  assert.deepEqual(cert.toLegacyObject().subject.O, ['#a=b', 'dev']);
});

test('existing valid files are reused as they are', async (t) => {
  const dir = tempDir(t);
  const first = await ensurePki(dir, noSans);
  const second = await ensurePki(dir, noSans);
  assert.deepEqual(second, first);
});

test('new SANs re-issue only the serving certificate, under the same CA', async (t) => {
  const dir = tempDir(t);
  const first = await ensurePki(dir, noSans);
  const second = await ensurePki(dir, { sans: { dns: ['api.example'], ips: ['10.1.2.3'] } });
  assert.equal(second.caCert, first.caCert);
  assert.equal(second.adminCert, first.adminCert);
  assert.notEqual(second.servingCert, first.servingCert);
  const serving = new X509Certificate(second.servingCert);
  assert.ok(serving.checkIP('10.1.2.3'));
  assert.equal(serving.checkHost('api.example', { subject: 'never' }), 'api.example');
  assert.ok(serving.verify(new X509Certificate(first.caCert).publicKey));
  // A subset of what is already covered keeps the certificate.
  const third = await ensurePki(dir, { sans: { dns: [], ips: ['10.1.2.3'] } });
  assert.equal(third.servingCert, second.servingCert);
});

test('a damaged CA means a new CA and new certificates signed by it', async (t) => {
  const dir = tempDir(t);
  const first = await ensurePki(dir, noSans);
  writeFileSync(join(dir, 'pki', 'ca.crt'), 'garbage');
  const second = await ensurePki(dir, noSans);
  assert.notEqual(second.caCert, first.caCert);
  const ca = new X509Certificate(second.caCert);
  assert.ok(new X509Certificate(second.servingCert).verify(ca.publicKey));
  assert.ok(new X509Certificate(second.adminCert).verify(ca.publicKey));
});

test('a serving key that does not match its certificate is replaced', async (t) => {
  const dir = tempDir(t);
  const first = await ensurePki(dir, noSans);
  writeFileSync(join(dir, 'pki', 'apiserver.key'), first.adminKey);
  const second = await ensurePki(dir, noSans);
  assert.equal(second.caCert, first.caCert);
  assert.notEqual(second.servingCert, first.servingCert);
  assert.ok(new X509Certificate(second.servingCert).checkPrivateKey((await import('node:crypto')).createPrivateKey(second.servingKey)));
});

test('the kubelet-client certificate and a kubelet serving certificate, kept and reused as the kubelet keeps its own', async (t) => {
  const dir = tempDir(t);
  const pki = await ensurePki(dir, noSans);
  const ca = new X509Certificate(pki.caCert);
  const client = new X509Certificate(pki.kubeletClientCert);
  assert.ok(client.verify(ca.publicKey));
  assert.equal(client.subject, 'O=kubeadm:cluster-admins\nCN=kube-apiserver-kubelet-client');
  const nodeDir = join(dir, 'node');
  const first = await ensureKubeletServingCertificate(dir, nodeDir, 'n1', { dns: ['n1'], ips: ['127.0.0.1'] });
  const serving = new X509Certificate(first.certPem);
  assert.ok(serving.verify(ca.publicKey));
  assert.equal(serving.subject, 'O=system:nodes\nCN=system:node:n1');
  assert.equal(serving.subjectAltName, 'DNS:n1, IP Address:127.0.0.1');
  assert.ok(serving.keyUsage?.includes('1.3.6.1.5.5.7.3.1'), 'serverAuth');
  assert.equal(statSync(join(nodeDir, 'pki', 'kubelet.key')).mode & 0o777, 0o600);
  assert.deepEqual(await ensureKubeletServingCertificate(dir, nodeDir, 'n1', { dns: ['n1'], ips: ['127.0.0.1'] }), first);
  const moved = await ensureKubeletServingCertificate(dir, nodeDir, 'n1', { dns: ['n1'], ips: ['127.0.0.2'] });
  assert.notEqual(moved.certPem, first.certPem);
  assert.equal(new X509Certificate(moved.certPem).subjectAltName, 'DNS:n1, IP Address:127.0.0.2');
});
