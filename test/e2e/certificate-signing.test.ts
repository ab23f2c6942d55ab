// CertificateSigningRequests end to end against a real `kubesvc up`, as a node joins: a bootstrap
// token creates a kubelet client CSR (made by openssl), csrapproving approves it after a
// SubjectAccessReview, csrsigning signs it with the cluster CA, and the certificate authenticates
// as system:node:<name> in system:nodes. kubectl's get/approve/deny, upstream's validation, and a
// request its signer refuses (marked Failed) are covered too.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, kubesvcBin, kubectl, kubectlOk, request, credentials, until, type Cluster } from './harness.js';

const kubelet = 'kubernetes.io/kube-apiserver-client-kubelet';

/** A fresh EC key and a PEM CSR for `subject` (openssl's -subj syntax), in `dir`. */
function makeCSR(dir: string, name: string, subject: string, extra: string[] = []): { key: string; csr: string } {
  const key = join(dir, `${name}.key`);
  const out = join(dir, `${name}.csr`);
  const gen = spawnSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', out, '-subj', subject, ...extra], { encoding: 'utf8' });
  assert.equal(gen.status, 0, gen.stderr);
  return { key: readFileSync(key, 'utf8'), csr: readFileSync(out, 'utf8') };
}

const csrObject = (name: string, pem: string, signerName: string, usages: string[], more: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(pem).toString('base64'), signerName, usages, ...more },
  });

describe('CertificateSigningRequests: a node joins with a bootstrap token', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('a bootstrap token creates a kubelet client CSR; it is approved and signed, and the certificate is the node', async () => {
    const token = spawnSync(process.execPath, [kubesvcBin, 'token', 'create', '--kubeconfig', c.kubeconfig], { encoding: 'utf8' }).stdout.trim();
    const { key, csr } = makeCSR(c.dataDir, 'worker-1', '/O=system:nodes/CN=system:node:worker-1');
    const asToken = { anonymous: true, headers: { Authorization: `Bearer ${token}` } };
    // The requester in the body is ignored: the server records who sent the create.
    const t0 = Date.now();
    const created = await request(c, 'POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', csrObject('node-csr-worker-1', csr, kubelet, ['digital signature', 'client auth'], { username: 'system:masters-wannabe' }), asToken);
    assert.equal(created.status, 201, created.body);
    assert.equal(created.json().spec.username, `system:bootstrap:${token.slice(0, 6)}`);
    assert.deepEqual(created.json().spec.groups, ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated']);
    assert.deepEqual(created.json().status, {});
    const done = await until(
      'the CSR to be approved and issued',
      async () => (await request(c, 'GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/node-csr-worker-1', undefined, asToken)).json(),
      (o) => !!o.status?.certificate,
      10_000,
    );
    const ms = Date.now() - t0;
    const approved = done.status.conditions.find((x: any) => x.type === 'Approved');
    assert.equal(approved.reason, 'AutoApproved');
    assert.equal(approved.message, 'Auto approving kubelet client certificate after SubjectAccessReview.');
    const certPem = Buffer.from(done.status.certificate, 'base64').toString();
    // The certificate authenticates as the node.
    const https = await import('node:https');
    const who: any = await new Promise((resolve, reject) => {
      const req = https.request(new URL('/apis/authentication.k8s.io/v1/selfsubjectreviews', c.url), { method: 'POST', ca: credentials(c.kubeconfig).ca, cert: certPem, key, headers: { 'Content-Type': 'application/json' } }, (res) => {
        let d = '';
        res.on('data', (x) => (d += x));
        res.on('end', () => resolve(JSON.parse(d)));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }));
    });
    assert.equal(who.status.userInfo.username, 'system:node:worker-1');
    assert.deepEqual(who.status.userInfo.groups, ['system:nodes', 'system:authenticated']);
    const row = kubectlOk(c, ['get', 'csr', 'node-csr-worker-1']);
    assert.match(row, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\n/);
    assert.match(row, new RegExp(`node-csr-worker-1\\s+\\d+s\\s+${kubelet}\\s+system:bootstrap:${token.slice(0, 6)}\\s+<none>\\s+Approved,Issued\\n$`));
    process.stdout.write(`# bootstrap CSR created → approved and issued in ${ms} ms\n`);
  });

  it('kubectl certificate approve and deny; an approved request the signer refuses is Failed with the reason', async () => {
    const client = makeCSR(c.dataDir, 'jane', '/O=devs/CN=jane');
    assert.equal((await request(c, 'POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', csrObject('jane', client.csr, 'kubernetes.io/kube-apiserver-client', ['client auth'], { expirationSeconds: 3600 }))).status, 201);
    assert.match(kubectlOk(c, ['get', 'csr', 'jane']), /jane\s+\d+s\s+kubernetes.io\/kube-apiserver-client\s+kubernetes-admin\s+60m\s+Pending\n$/);
    assert.match(kubectlOk(c, ['certificate', 'approve', 'jane']), /certificatesigningrequest.certificates.k8s.io\/jane approved/);
    const signed = await until('jane\'s certificate', () => request(c, 'GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/jane'), (r) => !!r.json().status?.certificate, 10_000);
    const cert = new (await import('node:crypto')).X509Certificate(Buffer.from(signed.json().status.certificate, 'base64'));
    assert.equal(cert.subject, 'O=devs\nCN=jane');
    const lifetime = Date.parse(cert.validTo) - Date.now();
    assert.ok(lifetime <= 3600_000 && lifetime > 3000_000, `valid for ${lifetime} ms`);

    const other = makeCSR(c.dataDir, 'mallory', '/O=devs/CN=mallory');
    await request(c, 'POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', csrObject('mallory', other.csr, 'kubernetes.io/kube-apiserver-client', ['client auth']));
    assert.match(kubectlOk(c, ['certificate', 'deny', 'mallory']), /denied/);
    assert.match(kubectlOk(c, ['get', 'csr', 'mallory']), /Denied\n$/);

    // Not a node's subject, so the kubelet signer fails it once someone approves it.
    const wrong = makeCSR(c.dataDir, 'wrong', '/O=devs/CN=system:node:wrong');
    await request(c, 'POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', csrObject('wrong', wrong.csr, kubelet, ['digital signature', 'client auth']));
    kubectlOk(c, ['certificate', 'approve', 'wrong']);
    const failed = await until('the signer to fail it', () => request(c, 'GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/wrong'), (r) => (r.json().status?.conditions ?? []).some((x: any) => x.type === 'Failed'), 10_000);
    const f = failed.json().status.conditions.find((x: any) => x.type === 'Failed');
    assert.equal(f.reason, 'SignerValidationFailure');
    assert.equal(f.message, 'subject organization is not system:nodes');
    assert.equal(failed.json().status.certificate, undefined);
  });

  it('answers bad requests with upstream\'s 422 and keeps serving', async () => {
    const { csr } = makeCSR(c.dataDir, 'bad', '/CN=bad');
    const cases: [string, string][] = [
      [csrObject('b1', csr, 'kubernetes.io', ['client auth']), "spec.signerName: Invalid value: \"kubernetes.io\": must be a fully qualified domain and path of the form 'example.com/signer-name'"],
      [csrObject('b2', csr, 'example.com/x', []), 'spec.usages: Required value: usages must be provided'],
      [csrObject('b3', csr, 'example.com/x', ['client auth', 'flying']), 'spec.usages[1]: Unsupported value: "flying"'],
      [csrObject('b4', csr, 'example.com/x', ['client auth', 'client auth']), 'spec.usages[1]: Duplicate value: "client auth"'],
      [csrObject('b5', 'not a pem', 'example.com/x', ['client auth']), 'spec.request: Invalid value: '],
      [csrObject('b6', csr, 'example.com/x', ['client auth'], { expirationSeconds: 100 }), 'spec.expirationSeconds: Invalid value: 100: may not specify a duration less than 600 seconds (10 minutes)'],
      [csrObject('b7', csr, 'example.com/', ['client auth']), 'validating path: must not be empty'],
    ];
    for (const [body, message] of cases) {
      const r = await request(c, 'POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', body);
      assert.equal(r.status, 422, body);
      assert.ok(r.json().message.includes(message), `${r.json().message} lacks ${message}`);
    }
    // Pre-approved requests are not a thing: status on create is dropped.
    const pre = JSON.parse(csrObject('pre', csr, 'example.com/x', ['client auth']));
    pre.status = { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'AAAA' };
    const p = await request(c, 'POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', JSON.stringify(pre));
    assert.equal(p.status, 201);
    assert.deepEqual(p.json().status, {});
    // Approved and Denied together is refused; /status cannot approve.
    const both = { ...p.json(), status: { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Denied', status: 'True' }] } };
    const r = await request(c, 'PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/pre/approval', JSON.stringify(both));
    assert.equal(r.status, 422);
    assert.match(r.json().message, /Approved and Denied conditions are mutually exclusive/);
    const viaStatus = { ...p.json(), status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Sneaky' }] } };
    const s = await request(c, 'PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/pre/status', JSON.stringify(viaStatus));
    assert.equal(s.status, 200);
    assert.equal(s.json().status.conditions, undefined);
    // The spec never changes.
    const changed = { ...p.json(), spec: { ...p.json().spec, signerName: 'example.com/other' } };
    const u = await request(c, 'PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/pre', JSON.stringify(changed));
    assert.equal(u.status, 200);
    assert.equal(u.json().spec.signerName, 'example.com/x');
    assert.equal(kubectl(c, ['get', 'csr', 'pre']).code, 0);
    assert.equal((await request(c, 'GET', '/readyz')).status, 200);
  });
});
