// `kubesvc agent` joins a running cluster with a token, as a second machine would: the CA pinned by
// `token create --print-join-command`'s hash, the node's certificates from CSRs the cluster
// approves and signs, the Node Ready, a pod scheduled there running with `kubectl logs` reaching it
// through the API server and the agent's kubelet API, and a restart without the token reusing the
// node's own certificates. A wrong CA hash is refused before anything is sent. (The agent shares
// this machine with `kubesvc up`'s node, whose kube-proxy already serves the ClusterIPs, so it runs
// with --disable-kube-proxy.)
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startCluster, planArgs, kubesvcBin, kubectl, kubectlOk, httpGet, until, tempDir, type Cluster } from './harness.js';

describe('kubesvc agent joins a cluster with a token', () => {
  let c: Cluster;
  let join_: string[];
  let agentProc: ChildProcess | undefined;
  let agentOut = '';
  const { plan, args } = planArgs();
  const nodeIP = `${plan.podPrefix}250.1`;
  const podCIDR = `${plan.podPrefix}200.0/24`;
  const dataDir = tempDir('kubesvc-agent-');

  const startAgent = async (extra: string[]): Promise<number> => {
    const t0 = Date.now();
    agentOut = '';
    agentProc = spawn(process.execPath, [kubesvcBin, 'agent', ...extra, '--node-name', 'worker-1', '--node-ip', nodeIP, '--pod-cidr', podCIDR, '--data-dir', dataDir, '--kubelet-port', '0', '--disable-kube-proxy'], { stdio: ['ignore', 'pipe', 'pipe'] });
    agentProc.stdout!.on('data', (d) => (agentOut += d));
    agentProc.stderr!.on('data', (d) => (agentOut += d));
    await until('the agent to say it joined', () => agentOut, (o) => /joined .* and is running/.test(o), 30_000);
    return Date.now() - t0;
  };
  const stopAgent = async () => {
    if (!agentProc || agentProc.exitCode !== null) return;
    const exited = new Promise((r) => agentProc!.once('exit', r));
    agentProc.kill('SIGTERM');
    await exited;
  };

  before(async () => {
    c = await startCluster({ plan, args });
    const r = spawnSync(process.execPath, [kubesvcBin, 'token', 'create', '--print-join-command', '--kubeconfig', c.kubeconfig], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const m = /^kubesvc agent (--server \S+ --token \S+ --ca-cert-hash sha256:[0-9a-f]{64})\n$/.exec(r.stdout);
    assert.ok(m, r.stdout);
    join_ = m[1]!.split(' ');
  });
  after(async () => {
    await stopAgent();
    await c?.destroy();
  });

  it('refuses a server whose CA does not match the hash, and says so', () => {
    const bad = join_.map((a) => (a.startsWith('sha256:') ? `sha256:${'0'.repeat(64)}` : a));
    const r = spawnSync(process.execPath, [kubesvcBin, 'agent', ...bad, '--node-name', 'evil', '--data-dir', join(dataDir, 'other')], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr + r.stdout, /the server's CA has public key hash sha256:[0-9a-f]{64}, not the sha256:0{64} given: refusing to join/);
    assert.equal(kubectl(c, ['get', 'node', 'evil']).code, 1);
  });

  it('joins: the Node is Ready, its pods run and answer, kubectl logs reaches them', async () => {
    const ms = await startAgent(join_);
    process.stdout.write(`# agent join (token → certificates → node agent running): ${ms} ms\n`);
    await until('node worker-1 Ready', () => kubectl(c, ['get', 'node', 'worker-1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).stdout, (s) => s === 'True', 20_000);
    const csrs = kubectlOk(c, ['get', 'csr']);
    for (const what of ['node-client', 'kubelet-serving', 'kube-proxy']) assert.match(csrs, new RegExp(`${what}-worker-1-\\S+\\s.*Approved,Issued`), csrs);
    kubectlOk(c, ['run', 'on-worker', '--image=registry.k8s.io/e2e-test-images/agnhost:2.53', '--overrides={"spec":{"nodeName":"worker-1"}}', '--', 'serve-hostname']);
    const ip = await until('the pod to run on worker-1', () => kubectl(c, ['get', 'pod', 'on-worker', '-o', 'jsonpath={.status.podIP} {.status.phase}']).stdout, (s) => / Running$/.test(s), 20_000);
    const podIP = ip.split(' ')[0]!;
    assert.ok(podIP.startsWith(`${plan.podPrefix}200.`), podIP);
    assert.equal(await until('the pod to answer', () => httpGet(podIP, 9376), (a) => a === 'on-worker', 10_000), 'on-worker');
    assert.match(kubectlOk(c, ['logs', 'on-worker']), /Serving on port 9376/);
  });

  it('restarts without the token on its own certificates, and keeps its pod', async () => {
    await stopAgent();
    const ms = await startAgent(join_.filter((a, i, all) => a !== '--token' && all[i - 1] !== '--token'));
    process.stdout.write(`# agent restart (kept certificates): ${ms} ms\n`);
    await until('the pod Running again', () => kubectl(c, ['get', 'pod', 'on-worker', '-o', 'jsonpath={.status.phase}']).stdout, (s) => s === 'Running', 20_000);
    const pods = JSON.parse(kubectlOk(c, ['get', 'pods', '-o', 'json', '--field-selector', 'spec.nodeName=worker-1'])).items;
    assert.equal(pods.length, 1);
    assert.match(kubectlOk(c, ['logs', 'on-worker']), /Serving on port 9376/);
  });
});

describe('kubesvc agent rotates its client and serving certificates before they expire', () => {
  let c: Cluster;
  let proc: ChildProcess | undefined;
  let out = '';
  const { plan, args } = planArgs();
  const dataDir = tempDir('kubesvc-agent-rot-');
  before(async () => {
    // Certificates of 20 s: renewed at 16 s, so a node that did not rotate would be locked out by 20 s.
    c = await startCluster({ plan, args: [...args, '--cluster-signing-duration', '20s'] });
  });
  after(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    await c?.destroy();
  });

  it('asks for new ones as the node, swaps them in, and keeps working past the first ones\' expiry', async () => {
    const r = spawnSync(process.execPath, [kubesvcBin, 'token', 'create', '--print-join-command', '--kubeconfig', c.kubeconfig], { encoding: 'utf8' });
    const joinArgs = r.stdout.trim().split(' ').slice(2);
    proc = spawn(process.execPath, [kubesvcBin, 'agent', ...joinArgs, '--node-name', 'rotor', '--node-ip', `${plan.podPrefix}251.1`, '--pod-cidr', `${plan.podPrefix}201.0/24`, '--data-dir', dataDir, '--kubelet-port', '0', '--disable-kube-proxy'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    await until('the agent to join', () => out, (o) => /joined .* and is running/.test(o), 30_000);
    const firstServing = new X509Certificate(readFileSync(join(dataDir, 'pki', 'kubelet.crt'), 'utf8'));
    // The kubelet API's serving certificate as a caller sees it, before and after its rotation.
    const port = Number(kubectlOk(c, ['get', 'node', 'rotor', '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}']));
    const served = () =>
      new Promise<{ fingerprint: string; validTo: number }>((resolve, reject) => {
        const s = tlsConnect({ host: `${plan.podPrefix}251.1`, port, rejectUnauthorized: false }, () => {
          const cert = s.getPeerCertificate();
          s.destroy();
          resolve({ fingerprint: cert.fingerprint256, validTo: Date.parse(cert.valid_to) });
        });
        s.once('error', reject);
      });
    // What it served at the start: the one it kept when it joined (read at once, before a rotation can come).
    const first = { fingerprint: firstServing.fingerprint256, validTo: Date.parse(firstServing.validTo) };
    await until('a rotation', () => out, (o) => /rotated the node and kube-proxy client certificates/.test(o), 25_000);
    await until('the serving certificate rotated', () => out, (o) => /rotated the kubelet API's serving certificate/.test(o), 25_000);
    const second = await served();
    assert.notEqual(second.fingerprint, first.fingerprint);
    // What it serves is the renewed certificate it keeps.
    assert.equal(second.fingerprint, new X509Certificate(readFileSync(join(dataDir, 'pki', 'kubelet.crt'), 'utf8')).fingerprint256);
    // Renewed once per life, not in a loop (a 20 s certificate backdated 5 minutes was due on arrival).
    const renewals = out.match(/rotated the kubelet API's serving certificate/g)?.length ?? 0;
    assert.ok(renewals <= 3, `${renewals} serving renewals`);
    // Renewals are the node's own CSRs, approved as selfnodeclient.
    const csrs = JSON.parse(kubectlOk(c, ['get', 'csr', '-o', 'json'])).items.filter((x: any) => x.spec.signerName === 'kubernetes.io/kube-apiserver-client-kubelet');
    const renewal = csrs.find((x: any) => x.spec.username === 'system:node:rotor');
    assert.ok(renewal, JSON.stringify(csrs.map((x: any) => x.spec.username)));
    assert.equal(renewal.status.conditions.find((x: any) => x.type === 'Approved').message, 'Auto approving self kubelet client certificate after SubjectAccessReview.');
    // Past the first certificates' expiry the node still heartbeats: its Lease keeps being renewed.
    await new Promise((res) => setTimeout(res, 6000));
    const renewTime = () => Date.parse(JSON.parse(kubectlOk(c, ['get', 'lease', '-n', 'kube-node-lease', 'rotor', '-o', 'json'])).spec.renewTime);
    const t = renewTime();
    await until('the Lease to be renewed with the new certificate', renewTime, (v) => v > t, 15_000);
    assert.doesNotMatch(out, /certificate has expired|Unauthorized/);
  });
});
