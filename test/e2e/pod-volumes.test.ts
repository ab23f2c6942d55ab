// ConfigMaps, Secrets and volumes in pods, driven through kubectl as a user would: env from
// ConfigMap/Secret keys and envFrom, configMap files at their mountPath read by the container,
// an update reaching the file within 2 s, a missing ConfigMap holding the container in
// CreateContainerConfigError until it is created, an emptyDir shared by two containers, the
// downward API labels file, the ServiceAccount volume every pod gets, and a StatefulSet's claim on
// the default local-path class: what one pod wrote, its replacement reads; the directory goes with
// the claim.
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, kubectl, kubectlOk, tempDir, until, type Cluster } from './harness.js';

// Mount points of process containers exist on the machine: keep them under one directory of
// this test, removed at the end.
const base = '/var/run/podvolumes-e2e';

const objects = `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  a: hello
  mode: fast
---
apiVersion: v1
kind: Secret
metadata:
  name: app-secret
stringData:
  password: s3cret
  1token: skipped
`;

const appPod = `apiVersion: v1
kind: Pod
metadata:
  name: app
  labels:
    app: demo
    tier: web
spec:
  containers:
  - name: main
    image: kubesvc.io/host
    command: ["sh", "-c", "echo A=$A P=$P CM_mode=$CM_mode password=$password; cat ${base}/config/a; echo; exec sleep 3600"]
    env:
    - name: A
      valueFrom:
        configMapKeyRef: {name: app-config, key: a}
    - name: P
      valueFrom:
        secretKeyRef: {name: app-secret, key: password}
    - name: OPT
      valueFrom:
        configMapKeyRef: {name: nowhere, key: x, optional: true}
    envFrom:
    - prefix: CM_
      configMapRef: {name: app-config}
    - secretRef: {name: app-secret}
    volumeMounts:
    - {name: config, mountPath: ${base}/config}
    - {name: secret, mountPath: ${base}/secret, readOnly: true}
    - {name: podinfo, mountPath: ${base}/podinfo}
  volumes:
  - name: config
    configMap: {name: app-config}
  - name: secret
    secret: {secretName: app-secret, defaultMode: 0400}
  - name: podinfo
    downwardAPI:
      items:
      - path: labels
        fieldRef: {fieldPath: metadata.labels}
`;

const latePod = `apiVersion: v1
kind: Pod
metadata:
  name: late
spec:
  containers:
  - name: main
    image: kubesvc.io/host
    command: ["sh", "-c", "echo late=$LATE; exec sleep 3600"]
    env:
    - name: LATE
      valueFrom:
        configMapKeyRef: {name: late-config, key: v}
`;

const sharedPod = `apiVersion: v1
kind: Pod
metadata:
  name: shared
spec:
  containers:
  - name: writer
    image: kubesvc.io/host
    command: ["sh", "-c", "echo from-writer > ${base}/shared/x; mkdir -p ${base}/shared/sub; echo in-sub > ${base}/shared/sub/y; exec sleep 3600"]
    volumeMounts:
    - {name: scratch, mountPath: ${base}/shared}
  - name: reader
    image: kubesvc.io/host
    command: ["sh", "-c", "exec sleep 3600"]
    volumeMounts:
    - {name: scratch, mountPath: ${base}/shared, readOnly: true}
    - {name: scratch, mountPath: ${base}/only-sub, subPath: sub}
    - {name: mem, mountPath: ${base}/mem}
  volumes:
  - name: scratch
    emptyDir: {}
  - name: mem
    emptyDir: {medium: Memory, sizeLimit: 8Mi}
`;

const storeSet = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: store
spec:
  serviceName: store
  replicas: 1
  selector:
    matchLabels: {app: store}
  template:
    metadata:
      labels: {app: store}
    spec:
      containers:
      - name: main
        image: kubesvc.io/host
        command: ["sh", "-c", "[ -f ${base}/store/token ] || echo token-$$-$(date +%s%N) > ${base}/store/token; cat ${base}/store/token; exec sleep 3600"]
        volumeMounts:
        - {name: data, mountPath: ${base}/store}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 16Mi}
`;

describe('configuration and volumes in pods', () => {
  const dataDir = tempDir('kubesvc-podvolumes-');
  let c: Cluster;
  before(async () => {
    c = await startCluster({ dataDir });
  });
  after(async () => {
    await c?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(base, { recursive: true, force: true });
  });

  const pod = (name: string) => JSON.parse(kubectlOk(c, ['get', 'pod', name, '-o', 'json']));
  const running = (name: string) => until(`${name} to run`, () => pod(name), (p) => p.status?.phase === 'Running', 30_000);
  const exec = (name: string, container: string, ...cmd: string[]) => kubectl(c, ['exec', name, '-c', container, '--', ...cmd]);

  it('gives a container env from ConfigMap and Secret keys and envFrom, and the files at their mountPath', async () => {
    kubectlOk(c, ['apply', '-f', '-'], objects);
    kubectlOk(c, ['apply', '-f', '-'], appPod);
    await running('app');
    const logs = await until('the log', () => kubectl(c, ['logs', 'app']).stdout, (s) => s.includes('hello'));
    assert.match(logs, /A=hello P=s3cret CM_mode=fast password=s3cret/);
    assert.equal(exec('app', 'main', 'cat', `${base}/config/a`).stdout, 'hello');
    assert.equal(exec('app', 'main', 'cat', `${base}/secret/password`).stdout, 's3cret');
    assert.equal(exec('app', 'main', 'cat', `${base}/podinfo/labels`).stdout, 'app="demo"\ntier="web"');
    // The secret's defaultMode (0400) is the file's mode; the visible name is a symlink into ..data.
    assert.equal(exec('app', 'main', 'stat', '-L', '-c', '%a', `${base}/secret/password`).stdout.trim(), '400');
    assert.equal(exec('app', 'main', 'readlink', `${base}/config/a`).stdout.trim(), '..data/a');
    // A read-only mount refuses writes; the machine's own mount table never sees these mounts.
    assert.notEqual(exec('app', 'main', 'sh', '-c', `echo x > ${base}/secret/new`).code, 0);
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(base), 'no mount leaked into the host namespace');
    // Every pod gets the ServiceAccount volume: namespace and ca.crt at the well-known path.
    assert.equal(exec('app', 'main', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/namespace').stdout, 'default');
    assert.match(exec('app', 'main', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt').stdout, /BEGIN CERTIFICATE/);
    // envFrom skipped the key that is no variable name, with the kubelet's event.
    const events = JSON.parse(kubectlOk(c, ['get', 'events', '--field-selector', 'involvedObject.name=app', '-o', 'json'])).items as any[];
    assert.ok(
      events.some((e) => e.reason === 'InvalidEnvironmentVariableNames' && e.message === 'Keys [1token] from the EnvFrom secret default/app-secret were skipped since they are considered invalid environment variable names.'),
      JSON.stringify(events.map((e) => [e.reason, e.message])),
    );
  });

  it('brings a ConfigMap update to the mounted file within 2 s', async () => {
    // The volume's directory on this machine is what the container has at its mountPath: poll it
    // closely to time the update, then check what the container reads.
    const uid = pod('app').metadata.uid as string;
    const file = join(dataDir, 'node', 'pods', uid, 'volumes', 'kubernetes.io~configmap', 'config', 'a');
    assert.equal(readFileSync(file, 'utf8'), 'hello');
    const t0 = Date.now();
    kubectlOk(c, ['patch', 'configmap', 'app-config', '--type', 'merge', '-p', '{"data":{"a":"updated"}}']);
    const patched = Date.now();
    await until('the new value in the volume', () => readFileSync(file, 'utf8'), (s) => s === 'updated', 5000);
    const ms = Date.now() - t0;
    console.log(`# configMap update reached the mounted file ${ms} ms after kubectl patch started (${Date.now() - patched} ms after it returned)`);
    assert.ok(ms < 2000, `took ${ms} ms`);
    assert.equal(exec('app', 'main', 'cat', `${base}/config/a`).stdout, 'updated');
    // A key removed from the ConfigMap leaves the volume.
    kubectlOk(c, ['patch', 'configmap', 'app-config', '--type', 'json', '-p', '[{"op":"remove","path":"/data/mode"}]']);
    await until('mode to go', () => exec('app', 'main', 'ls', `${base}/config`).stdout, (s) => !s.split('\n').includes('mode'), 5000);
  });

  it('follows a label change in the downwardAPI file', async () => {
    kubectlOk(c, ['label', 'pod', 'app', 'tier=db', '--overwrite']);
    await until('the new labels', () => exec('app', 'main', 'cat', `${base}/podinfo/labels`).stdout, (s) => s === 'app="demo"\ntier="db"', 5000);
  });

  it('refuses bad volumes with upstream field errors', () => {
    const bad = (volume: string, mount = '') => `apiVersion: v1
kind: Pod
metadata:
  name: refused
spec:
  containers:
  - name: main
    image: kubesvc.io/host
    command: ["true"]
${mount}
  volumes:
  - ${volume}
`;
    let r = kubectl(c, ['apply', '-f', '-'], bad('{name: v, configMap: {name: c, items: [{key: k, path: ../escape}]}}'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.volumes\[0\]\.configMap\.items\[0\]\.path: Invalid value: "\.\.\/escape": must not contain '\.\.'/);
    r = kubectl(c, ['apply', '-f', '-'], bad('{name: v, emptyDir: {}}', '    volumeMounts:\n    - {name: other, mountPath: /x}'));
    assert.match(r.stderr, /spec\.containers\[0\]\.volumeMounts\[0\]\.name: Not found: "other"/);
    r = kubectl(c, ['apply', '-f', '-'], bad('{name: v, configMap: {nme: c}}'));
    assert.match(r.stderr, /unknown field "spec\.volumes\[0\]\.configMap\.nme"/);
  });

  it('holds a container in CreateContainerConfigError until its ConfigMap exists', async () => {
    kubectlOk(c, ['apply', '-f', '-'], latePod);
    const waiting = await until(
      'CreateContainerConfigError',
      () => pod('late'),
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError',
    );
    assert.equal(waiting.status.containerStatuses[0].state.waiting.message, 'configmap "late-config" not found');
    kubectlOk(c, ['create', 'configmap', 'late-config', '--from-literal=v=now']);
    await running('late');
    await until('the log', () => kubectl(c, ['logs', 'late']).stdout, (s) => s.includes('late=now'));
    kubectlOk(c, ['create', 'configmap', 'nokey']);
  });

  it('shares an emptyDir between two containers, with subPath, readOnly and a size-limited tmpfs', async () => {
    kubectlOk(c, ['apply', '-f', '-'], sharedPod);
    await running('shared');
    const seen = await until('the reader to see the file', () => exec('shared', 'reader', 'cat', `${base}/shared/x`).stdout, (s) => s.length > 0);
    assert.equal(seen, 'from-writer\n');
    assert.equal(exec('shared', 'reader', 'cat', `${base}/only-sub/y`).stdout, 'in-sub\n');
    assert.notEqual(exec('shared', 'reader', 'touch', `${base}/shared/nope`).code, 0, 'readOnly mount refuses writes');
    if (process.getuid?.() === 0) {
      const df = exec('shared', 'reader', 'df', '-k', `${base}/mem`).stdout;
      assert.match(df, /^tmpfs\s+8192\s/m, df);
    }
    const uid = pod('shared').metadata.uid as string;
    kubectlOk(c, ['delete', 'pod', 'shared', '--grace-period=1']);
    // The pod's tmpfs goes with it.
    await until('the tmpfs to be unmounted', () => readFileSync('/proc/self/mountinfo', 'utf8'), (s) => !s.includes(uid));
  });

  it('runs a program from a configMap volume (defaultMode 0755) as command, readiness probe and exec', async () => {
    const scripts = `apiVersion: v1
kind: ConfigMap
metadata:
  name: scripts
data:
  run.sh: |
    #!/bin/sh
    echo ran-from-volume
    exec sleep 3600
  ready.sh: |
    #!/bin/sh
    exit 0
---
apiVersion: v1
kind: Pod
metadata:
  name: scripted
spec:
  containers:
  - name: main
    image: kubesvc.io/host
    command: ["${base}/scripts/run.sh"]
    readinessProbe:
      exec: {command: ["${base}/scripts/ready.sh"]}
      periodSeconds: 1
    volumeMounts:
    - {name: scripts, mountPath: ${base}/scripts}
  volumes:
  - name: scripts
    configMap: {name: scripts, defaultMode: 0755}
`;
    kubectlOk(c, ['apply', '-f', '-'], scripts);
    await until('scripted to be Ready', () => pod('scripted'), (p) => p.status?.containerStatuses?.[0]?.ready === true, 30_000);
    assert.match(kubectlOk(c, ['logs', 'scripted']), /ran-from-volume/);
    assert.equal(exec('scripted', 'main', `${base}/scripts/ready.sh`).code, 0);
  });

  it('reports FailedMount for a volume that cannot be set up and stays ContainerCreating', async () => {
    const bad = `apiVersion: v1
kind: Pod
metadata:
  name: badmount
spec:
  containers:
  - name: main
    image: kubesvc.io/host
    command: ["sleep", "3600"]
    volumeMounts:
    - {name: host, mountPath: ${base}/host}
  volumes:
  - name: host
    hostPath: {path: ${base}/missing-dir, type: Directory}
`;
    kubectlOk(c, ['apply', '-f', '-'], bad);
    const ev = await until(
      'FailedMount',
      () => JSON.parse(kubectlOk(c, ['get', 'events', '--field-selector', 'involvedObject.name=badmount,reason=FailedMount', '-o', 'json'])).items as any[],
      (items) => items.length > 0,
    );
    assert.equal(ev[0].message, `MountVolume.SetUp failed for volume "host" : hostPath type check failed: ${base}/missing-dir is not a directory`);
    assert.equal(pod('badmount').status.containerStatuses[0].state.waiting.reason, 'ContainerCreating');
  });

  it('keeps a StatefulSet pod\'s file on its local-path claim across a new pod, and removes the directory with the claim', async () => {
    const t0 = Date.now();
    kubectlOk(c, ['apply', '-f', '-'], storeSet);
    await running('store-0');
    const first = await until('store-0 to write its token', () => kubectl(c, ['logs', 'store-0']).stdout.trim(), (l) => /^token-/.test(l));
    console.log(`# figure: StatefulSet pod with a new local-path claim, apply to Running ${Date.now() - t0} ms`);
    const table = kubectlOk(c, ['get', 'pvc,pv']);
    assert.match(table, /^persistentvolumeclaim\/data-store-0\s+Bound\s+pvc-[0-9a-f-]+\s+16Mi\s+RWO\s+local-path\s+<unset>\s+\d+s$/m);
    assert.match(table, /^persistentvolume\/pvc-[0-9a-f-]+\s+16Mi\s+RWO\s+Delete\s+Bound\s+default\/data-store-0\s+local-path\s+<unset>\s+\d+s$/m);
    assert.match(kubectlOk(c, ['get', 'storageclass']), /^local-path \(default\)\s+rancher\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+/m);
    const pvName = kubectlOk(c, ['get', 'pvc', 'data-store-0', '-o', 'jsonpath={.spec.volumeName}']);
    const dir = kubectlOk(c, ['get', 'pv', pvName, '-o', 'jsonpath={.spec.hostPath.path}']);
    assert.equal(dir, join(dataDir, 'storage', `${pvName}_default_data-store-0`));
    assert.equal(readFileSync(join(dir, 'token'), 'utf8').trim(), first);
    // The pod goes; the set makes a new one, which finds the same file on the same claim.
    const oldUid = pod('store-0').metadata.uid;
    kubectlOk(c, ['delete', 'pod', 'store-0', '--wait=false']);
    await until('a new store-0 to run', () => pod('store-0'), (p) => p.metadata.uid !== oldUid && p.status?.phase === 'Running', 30_000);
    const second = await until('the new store-0 to print the token', () => kubectl(c, ['logs', 'store-0']).stdout.trim(), (l) => /^token-/.test(l));
    assert.equal(second, first);
    // The claim outlives the set (whenDeleted: Retain); deleting it deletes the volume and its directory.
    kubectlOk(c, ['delete', 'statefulset', 'store']);
    kubectlOk(c, ['delete', 'pvc', 'data-store-0', '--wait=false']);
    await until('the local-path directory to go', () => existsSync(dir), (there) => !there, 30_000);
    await until('the volume to go', () => kubectl(c, ['get', 'pv', pvName]).code, (code) => code !== 0, 30_000);
  });
});
