// `kubectl rollout status|history|undo` against the controllers, through the real HTTPS server.
// kubectl runs asynchronously: the controllers live in this process and must keep running.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../../src/api/core.js';
import type { ReplicaSet } from '../../src/api/apps.js';
import { R } from '../../src/client/resources.js';
import { startControllerCluster, eventually, makePodReady, type ControllerCluster } from './cluster.js';

const kubectlBin = process.env.KUBECTL ?? '/usr/bin/kubectl';
const skip = !existsSync(kubectlBin) ? 'kubectl not installed' : false;

let c: ControllerCluster;
let readier: NodeJS.Timeout;

before(async () => {
  if (skip) return;
  c = await startControllerCluster();
  // Stand-in for the node agent: every pod becomes Running and Ready shortly after it appears.
  readier = setInterval(() => {
    void (async () => {
      for (const p of (await c.client.list<Pod>(R.pods, 'default')).items) {
        if (p.status?.phase !== 'Running' && !p.metadata.deletionTimestamp) await makePodReady(c.client, p).catch(() => undefined);
      }
    })().catch(() => undefined);
  }, 50);
});
after(async () => {
  if (skip) return;
  clearInterval(readier);
  await c.stop();
});

function kubectl(args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      kubectlBin,
      args,
      {
        timeout: timeoutMs,
        env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: c.dir, KUBECACHEDIR: join(c.dir, 'kubectl-cache') },
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function ok(args: string[]): Promise<string> {
  const r = await kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

test('kubectl create deployment, rollout status, set image, undo', { skip }, async () => {
  await ok(['create', 'deployment', 'web', '--image=busybox', '--replicas=3']);
  const status = await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']);
  assert.match(status, /deployment "web" successfully rolled out/);

  await ok(['set', 'image', 'deployment/web', 'busybox=nginx']);
  assert.match(await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']), /successfully rolled out/);
  const history = await ok(['rollout', 'history', 'deployment/web']);
  assert.match(history, /^1\s/m);
  assert.match(history, /^2\s/m);

  const rssBefore = (await c.client.list<ReplicaSet>(R.replicasets, 'default')).items.filter((r) => r.metadata.name?.startsWith('web-'));
  assert.equal(rssBefore.length, 2);
  assert.match(await ok(['rollout', 'undo', 'deployment/web']), /rolled back/);
  assert.match(await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']), /successfully rolled out/);
  await eventually(async () => {
    const rss = (await c.client.list<ReplicaSet>(R.replicasets, 'default')).items.filter((r) => r.metadata.name?.startsWith('web-'));
    assert.equal(rss.length, 2, 'undo reuses the old ReplicaSet');
    const live = rss.find((r) => r.spec.replicas === 3)!;
    assert.equal(live.spec.template!.spec.containers[0]!.image, 'busybox');
    assert.equal(live.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
  });
  const history2 = await ok(['rollout', 'history', 'deployment/web']);
  assert.match(history2, /^2\s/m);
  assert.match(history2, /^3\s/m);
});

test('kubectl scale and delete (GC removes ReplicaSets and pods)', { skip }, async () => {
  await ok(['scale', 'deployment/web', '--replicas=1']);
  await eventually(async () => {
    const pods = (await c.client.list<Pod>(R.pods, 'default', { labelSelector: 'app=web' })).items.filter((p) => !p.metadata.deletionTimestamp);
    assert.equal(pods.length, 1);
  }, 10_000);
  assert.match(await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']), /successfully rolled out/);
  await ok(['delete', 'deployment', 'web', '--wait=false']);
  await eventually(async () => {
    const rss = (await c.client.list<ReplicaSet>(R.replicasets, 'default')).items.filter((r) => r.metadata.name?.startsWith('web-'));
    assert.equal(rss.length, 0);
  }, 10_000);
});
