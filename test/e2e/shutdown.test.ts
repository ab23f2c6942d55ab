// Stopping `kubesvc up` as a user does (SIGTERM, Ctrl-C): writes in flight are answered, not reset,
// and whatever was acknowledged is there after a restart; a signal that arrives while the cluster
// is still starting stops it cleanly, leaving no pod process behind.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { EtcdServer, findEtcd } from '../storage/etcd-server.js';
import { credentials, kubectlOk, kubesvcBin, startCluster, tempDir, until, type Cluster, type Plan } from './harness.js';

const etcdBinary = findEtcd();

interface Outcome {
  name: string;
  status?: number;
  body?: string;
  /** The error a request ended with, and whether response headers had arrived before it. */
  error?: string;
  afterHeaders?: boolean;
}

/** One create on a connection of its own (no keep-alive reuse), as a fresh client does. */
function createService(c: Cluster, name: string): Promise<Outcome> {
  const cred = credentials(c.kubeconfig);
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }] } });
  return new Promise((resolve) => {
    let headers = false;
    const req = https.request(
      new URL('/api/v1/namespaces/default/services', c.url),
      {
        method: 'POST',
        agent: false,
        ca: cred.ca,
        cert: cred.cert,
        key: cred.key,
        timeout: 30_000,
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        headers = true;
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ name, status: res.statusCode ?? 0, body: data }));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ name, error: e.code ?? e.message, afterHeaders: true }));
        res.on('aborted', () => resolve({ name, error: 'aborted', afterHeaders: true }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('ETIMEDOUT')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ name, error: e.code ?? e.message, afterHeaders: headers }));
    req.end(body);
  });
}

/** PIDs of processes whose POD_IP is in the cluster's pod range: its pods. */
function podProcesses(plan: Plan): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const env = readFileSync(`/proc/${d}/environ`, 'utf8');
      if (env.split('\0').some((kv) => kv.startsWith(`POD_IP=${plan.podPrefix}`))) out.push(Number(d));
    } catch {
      /* gone, or not ours */
    }
  }
  return out;
}

/** The exit code of a cluster already sent SIGTERM (a second signal would mean "exit now", status 1). */
function exitCode(c: Cluster): Promise<number | null> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return Promise.resolve(c.proc.exitCode);
  const t = setTimeout(() => c.proc.kill('SIGKILL'), 20_000);
  return new Promise((r) => c.proc.once('exit', (code) => (clearTimeout(t), r(code))));
}

function planFlags(p: Plan): string[] {
  return ['--service-cidr', p.serviceCIDR, '--pod-cidr', p.podCIDR, '--lb-pool', p.lbPool, '--proxy-metrics-port', '0', '--proxy-healthz-port', '0'];
}

describe('kubesvc up shutdown', () => {
  it('SIGTERM with creates in flight: every answer is complete, every acknowledged create survives, none committed is reset', async (t) => {
    const dataDir = tempDir();
    // The in-flight limit (200 mutating requests by default) is not what this test is about: with
    // it, creates past the 200th may rightly be answered 429 while the others are in flight.
    const c = await startCluster({ dataDir, args: ['--max-mutating-requests-inflight', '1000', '--max-requests-inflight', '2000'] });
    try {
      const n = 240;
      const outcomes: Promise<Outcome>[] = [];
      let answered = 0;
      let signalled = false;
      for (let i = 0; i < n; i++) {
        outcomes.push(
          createService(c, `drain-${i}`).then((o) => {
            // Mid-way: once a fifth have answered, the rest are in flight or on their way.
            if (o.status !== undefined && ++answered === n / 5 && !signalled) {
              signalled = true;
              c.proc.kill('SIGTERM');
            }
            return o;
          }),
        );
      }
      const results = await Promise.all(outcomes);
      const code = await exitCode(c);
      assert.equal(code, 0, `kubesvc exits 0 after SIGTERM\n${c.stderr()}`);
      assert.ok(signalled, 'the signal was sent mid-way');

      for (const o of results.filter((r) => r.status !== undefined)) {
        assert.equal(o.status, 201, `${o.name}: ${o.body}`);
        assert.equal(JSON.parse(o.body!).metadata.name, o.name, 'a complete Service in the answer');
      }
      const failedMidResponse = results.filter((r) => r.error && r.afterHeaders);
      assert.deepEqual(failedMidResponse, [], 'no response is cut off after its headers');

      const again = await startCluster({ dataDir, plan: c.plan });
      try {
        const present = new Set(
          (JSON.parse(kubectlOk(again, ['get', 'services', '-n', 'default', '-o', 'json'])).items as { metadata: { name: string } }[]).map((s) => s.metadata.name),
        );
        const acknowledged = results.filter((r) => r.status === 201);
        const lost = acknowledged.filter((r) => !present.has(r.name)).map((r) => r.name);
        assert.deepEqual(lost, [], 'every acknowledged create is present after the restart');
        // The measure: a write that was committed but whose client saw its connection reset.
        const committedButReset = results.filter((r) => r.error && present.has(r.name)).map((r) => `${r.name}: ${r.error}`);
        assert.deepEqual(committedButReset, [], 'no committed create had its connection reset');
        const refused = results.filter((r) => r.error);
        t.diagnostic(`${n} creates: ${acknowledged.length} acknowledged (${acknowledged.length - n / 5} after SIGTERM), ${refused.length} refused before the server took them (${[...new Set(refused.map((r) => r.error))].join(', ') || 'none'})`);
      } finally {
        await again.stop();
      }
    } finally {
      await c.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a watch is ended cleanly at SIGTERM (the stream finishes; no reset)', async () => {
    const c = await startCluster();
    try {
      const cred = credentials(c.kubeconfig);
      const ended = new Promise<string>((resolve) => {
        const req = https.get(new URL('/api/v1/namespaces/default/services?watch=1', c.url), { agent: false, ca: cred.ca, cert: cred.cert, key: cred.key }, (res) => {
          res.resume();
          res.on('end', () => resolve('end'));
          res.on('aborted', () => resolve('aborted'));
          res.on('error', (e: NodeJS.ErrnoException) => resolve(`error:${e.code}`));
          // Headers are here: the watch is established.
          setTimeout(() => c.proc.kill('SIGTERM'), 100);
        });
        req.on('error', (e: NodeJS.ErrnoException) => resolve(`error:${e.code}`));
      });
      assert.equal(await ended, 'end');
      assert.equal(await exitCode(c), 0);
    } finally {
      await c.destroy();
    }
  });

  for (const datastore of ['sqlite', 'etcd'] as const) {
    it(`${datastore}: a signal at any point of start-up stops what started and exits 0, leaving no pod process`, { skip: datastore === 'etcd' && !etcdBinary ? 'etcd is not installed (apt-get install etcd-server)' : false }, async (t) => {
      const dataDir = tempDir();
      const etcd = datastore === 'etcd' ? await EtcdServer.start(etcdBinary!, join(dataDir, 'etcd')) : undefined;
      const storeArgs = etcd ? ['--datastore', `etcd://${etcd.endpoint}`] : [];
      const first = await startCluster({ dataDir: join(dataDir, 'kubesvc'), args: storeArgs });
      const plan = first.plan;
      try {
        kubectlOk(first, ['create', 'deployment', 'sleepers', '--image=registry.k8s.io/pause:3.9', '--replicas=2']);
        await until('2 pod processes', () => podProcesses(plan).length, (n) => n >= 2, 30_000);
        assert.equal(await first.stop(), 0);
        await until('pods ended with the cluster', () => podProcesses(plan).length, (n) => n === 0, 5_000);

        // Delays after the signal handlers are in (the pid file marks that), and "as soon as a pod runs".
        const points: (number | 'pod')[] = [0, 30, 100, 250, 500, 'pod'];
        const seen: string[] = [];
        for (const point of points) {
          const proc = spawn(process.execPath, [kubesvcBin, 'up', '--data-dir', join(dataDir, 'kubesvc'), '--api-port', '0', ...planFlags(plan), ...storeArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
          proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
          const exited = new Promise<{ code: number | null; signal: string | null }>((r) => proc.on('exit', (code, signal) => r({ code, signal })));
          try {
            const pidFile = join(dataDir, 'kubesvc', 'kubesvc.pid');
            // A loaded machine (the whole suite, four files at once) can take seconds to start a process.
            const lock = await until(
              'kubesvc.pid',
              () => (proc.exitCode !== null ? `exited with ${proc.exitCode}` : existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : ''),
              (s) => s === String(proc.pid) || s.startsWith('exited'),
              30_000,
            );
            assert.equal(lock, String(proc.pid), `the lock file names this kubesvc\n${out}`);
            if (point === 'pod') await until('a pod process', () => podProcesses(plan).length, (n) => n > 0, 15_000);
            else await new Promise((r) => setTimeout(r, point));
            const podsAtSignal = podProcesses(plan).length;
            const ready = /kubesvc is ready/.test(out);
            proc.kill('SIGTERM');
            const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
            const exit = await exited;
            clearTimeout(timer);
            seen.push(`${point}: ${podsAtSignal} pods${ready ? ', ready' : ''}`);
            assert.deepEqual(exit, { code: 0, signal: null }, `signal at ${point}: a clean stop\n${out}`);
            await until(`no pod process after a signal at ${point}`, () => podProcesses(plan), (p) => p.length === 0, 3_000);
            assert.ok(!existsSync(pidFile), 'the data dir lock is released');
          } finally {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
            await exited;
          }
        }
        t.diagnostic(`signal points: ${seen.join('; ')}`);
        assert.match(seen.at(-1)!, /^pod: [1-9]/, 'one signal came while pods were starting');
      } finally {
        await first.stop();
        for (const pid of podProcesses(plan)) process.kill(pid, 'SIGKILL');
        await etcd?.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});


