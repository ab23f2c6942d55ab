// The ServiceAccount token in pods: the kube-api-access volume's token and a serviceAccountToken
// projection with its own audience and lifetime, both from the TokenRequest subresource and bound
// to the pod, and usable against the API as the pod's ServiceAccount. Needs serviceaccounts/token
// (the tokens branch): skipped while the API server does not serve it.
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, kubectl, kubectlOk, tempDir, until, type Cluster } from './harness.js';

const saPath = '/var/run/secrets/kubernetes.io/serviceaccount';
const base = '/var/run/podvolumes-token-e2e';

const pod = `apiVersion: v1
kind: Pod
metadata:
  name: tok
spec:
  containers:
  - name: main
    image: kubesvc.io/host
    command: ["sleep", "3600"]
    volumeMounts:
    - {name: vault, mountPath: ${base}}
  volumes:
  - name: vault
    projected:
      sources:
      - serviceAccountToken: {audience: vault, expirationSeconds: 600, path: vault-token}
`;

function claims(jwt: string): any {
  const parts = jwt.split('.');
  assert.equal(parts.length, 3, `a JWT: ${jwt.slice(0, 40)}`);
  return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
}

describe('ServiceAccount tokens in pods', () => {
  const dataDir = tempDir('kubesvc-podvolumes-token-');
  let c: Cluster;
  let served = false;
  before(async () => {
    c = await startCluster({ dataDir });
    const v1 = JSON.parse(kubectlOk(c, ['get', '--raw', '/api/v1']));
    served = (v1.resources as { name: string }[]).some((r) => r.name === 'serviceaccounts/token');
  });
  after(async () => {
    await c?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(base, { recursive: true, force: true });
  });

  it('mounts the pod-bound token, ca.crt and namespace, and a projection with its own audience', async (t) => {
    if (!served) return t.skip('the API server does not serve serviceaccounts/token yet (tokens branch)');
    kubectlOk(c, ['apply', '-f', '-'], pod);
    const p = await until('tok to run', () => JSON.parse(kubectlOk(c, ['get', 'pod', 'tok', '-o', 'json'])), (x) => x.status?.phase === 'Running', 30_000);
    const exec = (...cmd: string[]) => kubectlOk(c, ['exec', 'tok', '--', ...cmd]);
    const token = exec('cat', `${saPath}/token`);
    const std = claims(token);
    assert.equal(std.sub, 'system:serviceaccount:default:default');
    assert.equal(std['kubernetes.io']?.pod?.name, 'tok');
    assert.equal(std['kubernetes.io']?.pod?.uid, p.metadata.uid);
    assert.equal(exec('cat', `${saPath}/namespace`), 'default');
    const vault = claims(exec('cat', `${base}/vault-token`));
    assert.deepEqual(vault.aud, ['vault']);
    assert.ok(vault.exp - vault.iat <= 600 && vault.exp - vault.iat >= 590, `lifetime ${vault.exp - vault.iat}`);
    // The pod's credentials reach the API as its ServiceAccount, as an in-cluster client would.
    const ca = join(dataDir, 'pod-ca.crt');
    writeFileSync(ca, exec('cat', `${saPath}/ca.crt`));
    const who = kubectl({ ...c, kubeconfig: '/dev/null' }, ['--server', c.url, '--certificate-authority', ca, '--token', token, 'auth', 'whoami', '-o', 'json']);
    assert.equal(who.code, 0, who.stderr);
    assert.equal(JSON.parse(who.stdout).status.userInfo.username, 'system:serviceaccount:default:default');
  });
});
