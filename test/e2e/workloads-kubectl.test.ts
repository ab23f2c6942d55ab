// StatefulSets and DaemonSets as a user drives them: kubectl apply, rollout status, scale, set
// image, rollout history and undo against `bin/kubesvc up`, with each StatefulSet pod's stable
// DNS name (`web-0.nginx.default.svc.cluster.local`) answered by the cluster DNS through dig.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, startCluster, kubectl, kubectlBin, kubectlOk, until, type Cluster } from './harness.js';

const haveDig = spawnSync('dig', ['-v'], { encoding: 'utf8' }).status === 0;

function dig(server: string, name: string): string {
  const r = spawnSync('dig', [`@${server}`, '+short', '+time=1', '+tries=1', name], { encoding: 'utf8', timeout: 10_000 });
  return (r.stdout ?? '').trim();
}

const statefulSet = `apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  clusterIP: None
  selector:
    app: web
  ports:
  - name: http
    port: 9376
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: registry.k8s.io/e2e-test-images/agnhost:2.53
        args: ["serve-hostname"]
        ports:
        - containerPort: 9376
`;

const daemonSet = readFileSync(join(root, 'test', 'e2e', 'fixtures', 'node-agent-daemonset.yaml'), 'utf8');

describe('StatefulSet and DaemonSet through kubectl', { skip: haveDig ? false : 'dig is not installed (apt-get install dnsutils)', timeout: 240_000 }, () => {
  let c: Cluster;
  let dns = '';
  const podJson = () => JSON.parse(kubectlOk(c, ['get', 'pods', '-l', 'app=web', '-o', 'json'])).items as any[];
  const images = () => Object.fromEntries(podJson().map((p) => [p.metadata.name, p.spec.containers[0].image.split(':').pop()]));
  const rollout = (what: string) => kubectlOk(c, ['rollout', 'status', what, '--timeout=90s']);

  before(async () => {
    c = await startCluster();
    dns = JSON.parse(kubectlOk(c, ['get', 'svc', 'kube-dns', '-n', 'kube-system', '-o', 'json'])).spec.clusterIP;
  });
  after(async () => {
    await c?.destroy();
  });

  it('applies a headless Service and a StatefulSet of 3: ordered pods, each answering at its own DNS name', async () => {
    const t0 = Date.now();
    kubectlOk(c, ['apply', '-f', '-'], statefulSet);
    // kubectl 1.32 words a RollingUpdate set with a (defaulted) partition as a partitioned roll out.
    assert.match(rollout('statefulset/web'), /partitioned roll out complete: 3 new pods have been updated\.\.\./);
    const ready = Date.now() - t0;
    const pods = podJson();
    assert.deepEqual(pods.map((p) => p.metadata.name).sort(), ['web-0', 'web-1', 'web-2']);
    // OrderedReady: each pod was created after the previous one became Ready.
    const created = Object.fromEntries(pods.map((p) => [p.metadata.name, Date.parse(p.metadata.creationTimestamp)]));
    assert.ok(created['web-0']! <= created['web-1']! && created['web-1']! <= created['web-2']!);
    for (const p of pods) {
      assert.equal(p.spec.hostname, p.metadata.name);
      assert.equal(p.spec.subdomain, 'nginx');
    }
    for (const p of pods) {
      await until(`${p.metadata.name} DNS`, () => dig(dns, `${p.metadata.name}.nginx.default.svc.cluster.local`), (v) => v === p.status.podIP);
    }
    const answering = Date.now() - t0;
    console.log(`# figure: StatefulSet of 3 from apply to all Ready ${ready} ms, to web-0..2 DNS answering ${answering} ms`);
    assert.equal(dig(dns, 'nginx.default.svc.cluster.local').split('\n').sort().join(','), pods.map((p) => p.status.podIP).sort().join(','));
    const table = kubectlOk(c, ['get', 'statefulset', 'web']);
    assert.match(table, /^NAME\s+READY\s+AGE\n/);
    assert.match(table, /\nweb\s+3\/3\s+/);
    assert.match(kubectlOk(c, ['get', 'controllerrevisions']), /^NAME\s+CONTROLLER\s+REVISION\s+AGE\nweb-[a-z0-9]+\s+statefulset\.apps\/web\s+1\s+/);
  });

  it('scales through the scale subresource, adding and removing the highest ordinal', async () => {
    kubectlOk(c, ['scale', 'statefulset/web', '--replicas=4']);
    rollout('statefulset/web');
    await until('web-3 DNS', () => dig(dns, 'web-3.nginx.default.svc.cluster.local'), (v) => /^\d+\.\d+\.\d+\.\d+$/.test(v));
    kubectlOk(c, ['scale', 'statefulset/web', '--replicas=3']);
    await until('web-3 gone', () => podJson().map((p) => p.metadata.name).sort().join(','), (v) => v === 'web-0,web-1,web-2');
  });

  it('rolls an image change from the highest ordinal down, one pod at a time', async () => {
    // kubectl's own watch records the order pods go away in.
    const watch = spawn(kubectlBin, ['get', 'pods', '-l', 'app=web', '--watch-only', '--output-watch-events', '-o', 'jsonpath={.type} {.object.metadata.name}{"\\n"}'], {
      env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: c.dataDir },
    });
    let events = '';
    watch.stdout.on('data', (d: Buffer) => (events += d.toString()));
    try {
      await new Promise((r) => setTimeout(r, 1000));
      kubectlOk(c, ['set', 'image', 'statefulset/web', 'web=registry.k8s.io/e2e-test-images/agnhost:2.52']);
      rollout('statefulset/web');
      await until('every pod on 2.52', () => Object.values(images()).join(','), (v) => v === '2.52,2.52,2.52', 60_000);
      await until('three deletions', () => events.split('\n').filter((l) => l.startsWith('DELETED ')).length, (n) => n === 3);
    } finally {
      watch.kill();
    }
    const deleted = events.split('\n').filter((l) => l.startsWith('DELETED ')).map((l) => l.slice('DELETED '.length));
    assert.deepEqual(deleted, ['web-2', 'web-1', 'web-0']);
  });

  it('a partition holds the lower ordinals at the old revision', async () => {
    kubectlOk(c, ['patch', 'statefulset', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}']);
    kubectlOk(c, ['set', 'image', 'statefulset/web', 'web=registry.k8s.io/e2e-test-images/agnhost:2.51']);
    assert.match(rollout('statefulset/web'), /partitioned roll out complete: 1 new pods have been updated/);
    await until('web-2 on 2.51', () => images()['web-2'], (v) => v === '2.51');
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(images(), { 'web-0': '2.52', 'web-1': '2.52', 'web-2': '2.51' });
    kubectlOk(c, ['patch', 'statefulset', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}']);
    rollout('statefulset/web');
    await until('all on 2.51', () => Object.values(images()).join(','), (v) => v === '2.51,2.51,2.51', 60_000);
  });

  it('keeps the history for kubectl rollout history and rolls back with rollout undo', async () => {
    const history = kubectlOk(c, ['rollout', 'history', 'statefulset/web']);
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n3\s+<none>/);
    assert.match(kubectlOk(c, ['rollout', 'history', 'statefulset/web', '--revision=2']), /agnhost:2\.52/);
    assert.match(kubectlOk(c, ['rollout', 'undo', 'statefulset/web']), /statefulset.apps\/web rolled back/);
    rollout('statefulset/web');
    await until('all back on 2.52', () => Object.values(images()).join(','), (v) => v === '2.52,2.52,2.52', 60_000);
    // The old revision was renumbered, not copied.
    assert.match(kubectlOk(c, ['rollout', 'history', 'statefulset/web']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n3\s+<none>\n4\s+<none>/);
  });

  it('runs a DaemonSet pod on the node, rolls an update, and leaves a node its selector excludes', async () => {
    kubectlOk(c, ['apply', '-f', '-'], daemonSet);
    assert.match(rollout('daemonset/node-agent'), /daemon set "node-agent" successfully rolled out/);
    const nodes = JSON.parse(kubectlOk(c, ['get', 'nodes', '-o', 'json'])).items as any[];
    const dsPods = () => JSON.parse(kubectlOk(c, ['get', 'pods', '-l', 'app=node-agent', '-o', 'json'])).items as any[];
    assert.equal(dsPods().length, nodes.length);
    assert.deepEqual(dsPods().map((p) => p.spec.nodeName).sort(), nodes.map((n) => n.metadata.name).sort());
    const table = kubectlOk(c, ['get', 'daemonset', 'node-agent']);
    assert.match(table, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\n/);
    assert.match(table, new RegExp(`\\nnode-agent\\s+${nodes.length}\\s+${nodes.length}\\s+${nodes.length}\\s+${nodes.length}\\s+${nodes.length}\\s+<none>\\s+`));
    kubectlOk(c, ['set', 'image', 'daemonset/node-agent', 'agent=registry.k8s.io/e2e-test-images/agnhost:2.52']);
    assert.match(rollout('daemonset/node-agent'), /successfully rolled out/);
    assert.ok(dsPods().every((p) => p.spec.containers[0].image.endsWith(':2.52')));
    assert.match(kubectlOk(c, ['rollout', 'history', 'daemonset/node-agent']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    assert.match(kubectlOk(c, ['rollout', 'undo', 'daemonset/node-agent']), /daemonset.apps\/node-agent rolled back/);
    assert.match(rollout('daemonset/node-agent'), /successfully rolled out/);
    await until('back on 2.53', () => dsPods().filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.containers[0].image.split(':').pop()).join(','), (v) => v === nodes.map(() => '2.53').join(','), 30_000);
    kubectlOk(c, ['patch', 'daemonset', 'node-agent', '-p', '{"spec":{"template":{"spec":{"nodeSelector":{"kubesvc.test/role":"none"}}}}}']);
    await until('daemon pods gone', () => dsPods().filter((p) => !p.metadata.deletionTimestamp).length, (n) => n === 0, 30_000);
    await until('desired 0', () => JSON.parse(kubectlOk(c, ['get', 'ds', 'node-agent', '-o', 'json'])).status.desiredNumberScheduled, (n) => n === 0);
    assert.match(kubectlOk(c, ['get', 'ds', 'node-agent']), /\nnode-agent\s+0\s+0\s+0\s+0\s+0\s+kubesvc\.test\/role=none\s+/);
  });

  it('deleting the StatefulSet and the DaemonSet takes their pods and revisions with them', async () => {
    kubectlOk(c, ['delete', 'statefulset', 'web']);
    kubectlOk(c, ['delete', 'daemonset', 'node-agent']);
    await until('pods gone', () => JSON.parse(kubectlOk(c, ['get', 'pods', '-o', 'json'])).items.length, (n) => n === 0, 30_000);
    await until('revisions gone', () => kubectlOk(c, ['get', 'controllerrevisions', '-o', 'name']).trim(), (v) => v === '', 30_000);
    kubectlOk(c, ['apply', '-f', '-'], statefulSet);
  });

  it('refuses hostile StatefulSet and DaemonSet bodies with 4xx, never 5xx', () => {
    const bad = kubectl(c, ['apply', '-f', '-'], statefulSet.replace('podManagement', '').replace('replicas: 3', 'replicas: -3'));
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec\.replicas: Invalid value: -3: must be greater than or equal to 0/);
    const immut = kubectl(c, ['patch', 'statefulset', 'web', '-p', '{"spec":{"serviceName":"other"}}']);
    assert.match(immut.stderr, /updates to statefulset spec for fields other than/);
    const junk = kubectl(c, ['create', '-f', '-'], '{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"x"},"spec":{"template":7}}');
    assert.notEqual(junk.code, 0);
    assert.doesNotMatch(junk.stderr, /InternalError|500/);
  });
});
