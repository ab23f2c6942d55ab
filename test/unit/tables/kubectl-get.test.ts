// The real kubectl 1.32 printing our Tables: what a user sees for `kubectl get svc|pods [-o wide] [-A] [-w]`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Pod, Service } from '../../../src/api/core.js';
import { startFakeApiserver, type FakeServer } from './fake-apiserver.js';
import { ago } from './helpers.js';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
const skip = existsSync(KUBECTL) ? false : 'kubectl is not installed';

function service(name: string, namespace: string, created: number, spec: Partial<Service['spec']>, status?: Service['status']): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, creationTimestamp: ago(created), resourceVersion: '1' },
    spec: { type: 'ClusterIP', ...spec } as Service['spec'],
    ...(status ? { status } : {}),
  };
}

function pod(name: string, created: number, status: Pod['status'], extra: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', creationTimestamp: ago(created), resourceVersion: '1', ...extra },
    spec: { containers: [{ name: 'app', image: 'kubesvc/echo' }], nodeName: 'node-1' },
    status,
  };
}

const cstatus = (s: object) => ({ name: 'app', image: 'kubesvc/echo', imageID: '', ready: false, restartCount: 0, ...s });

const services = [
  service('kubernetes', 'default', 5 * 86400, { clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }),
  service('web', 'default', 182, { type: 'LoadBalancer', clusterIPs: ['10.96.0.20'], selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }, {
    loadBalancer: { ingress: [{ ip: '127.240.0.1' }] },
  }),
  service('pending', 'default', 45, { type: 'LoadBalancer', clusterIPs: ['10.96.0.30'], selector: { app: 'api', tier: 'be' }, ports: [{ port: 8080, nodePort: 31000, protocol: 'TCP' }, { port: 53, nodePort: 31053, protocol: 'UDP' }] }),
  service('alias', 'default', 2 * 86400 + 3 * 3600, { type: 'ExternalName', externalName: 'example.com' }),
  service('kube-dns', 'kube-system', 5 * 86400, { clusterIPs: ['10.96.0.10'], selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }),
];

services[4]!.metadata.labels = { 'k8s-app': 'kube-dns' };

const pods = [
  pod('web-1', 600, {
    phase: 'Running',
    podIP: '127.244.0.5',
    podIPs: [{ ip: '127.244.0.5' }],
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [cstatus({ ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(5) } } })],
  }),
  pod('web-2', 3, { phase: 'Pending', containerStatuses: [cstatus({ state: { waiting: { reason: 'ContainerCreating' } } })] }),
  pod('job-1', 3 * 3600 + 60, { phase: 'Succeeded', podIP: '127.244.0.9', containerStatuses: [cstatus({ state: { terminated: { exitCode: 0, reason: 'Completed' } } })] }),
  pod('crash', 90, {
    phase: 'Running',
    podIP: '127.244.0.7',
    containerStatuses: [cstatus({ restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(20) } } })],
  }),
  pod('old', 30, { phase: 'Running', podIP: '127.244.0.8', containerStatuses: [cstatus({ ready: true, state: { running: {} } })] }, { deletionTimestamp: ago(1) }),
];

/** kubectl's output: the lines, each ending in a newline. */
const lines = (...ls: string[]) => ls.map((l) => `${l}\n`).join('');

let server: FakeServer;
let cacheDir: string;

before(async () => {
  server = await startFakeApiserver({
    services: {
      kind: 'Service',
      shortNames: ['svc'],
      objects: services,
      watch: [
        { type: 'MODIFIED', object: { ...services[2]!, status: { loadBalancer: { ingress: [{ ip: '127.240.0.2' }] } } } },
        { type: 'ADDED', object: service('db', 'default', 0, { clusterIPs: ['10.96.0.40'], ports: [{ port: 5432, protocol: 'TCP' }] }) },
      ],
    },
    pods: { kind: 'Pod', objects: pods },
    endpoints: { kind: 'Endpoints', objects: [] },
  });
  cacheDir = mkdtempSync(join(tmpdir(), 'kubesvc-kubectl-cache-'));
});

after(async () => {
  await server?.close();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

/** Runs kubectl against the fake server, isolated from any kubeconfig on the machine. */
async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(KUBECTL, ['--server', server.url, '--cache-dir', cacheDir, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: cacheDir, KUBECONFIG: join(cacheDir, 'none') },
    timeout: 30_000,
  });
}

test('kubectl get svc', { skip }, async () => {
  const { stdout } = await kubectl('get', 'svc');
  assert.equal(stdout, lines(
    'NAME         TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)                       AGE',
    'kubernetes   ClusterIP      10.96.0.1    <none>        443/TCP                       5d',
    'web          LoadBalancer   10.96.0.20   127.240.0.1   80:30080/TCP                  3m2s',
    'pending      LoadBalancer   10.96.0.30   <pending>     8080:31000/TCP,53:31053/UDP   45s',
    'alias        ExternalName   <none>       example.com   <none>                        2d3h',
  ));
});

test('kubectl get svc -o wide', { skip }, async () => {
  const { stdout } = await kubectl('get', 'svc', '-o', 'wide');
  assert.equal(stdout, lines(
    'NAME         TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)                       AGE    SELECTOR',
    'kubernetes   ClusterIP      10.96.0.1    <none>        443/TCP                       5d     <none>',
    'web          LoadBalancer   10.96.0.20   127.240.0.1   80:30080/TCP                  3m2s   app=web',
    'pending      LoadBalancer   10.96.0.30   <pending>     8080:31000/TCP,53:31053/UDP   45s    app=api,tier=be',
    'alias        ExternalName   <none>       example.com   <none>                        2d3h   <none>',
  ));
});

test('kubectl get svc -A', { skip }, async () => {
  const { stdout } = await kubectl('get', 'svc', '-A');
  assert.equal(stdout, lines(
    'NAMESPACE     NAME         TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)                       AGE',
    'default       kubernetes   ClusterIP      10.96.0.1    <none>        443/TCP                       5d',
    'default       web          LoadBalancer   10.96.0.20   127.240.0.1   80:30080/TCP                  3m2s',
    'default       pending      LoadBalancer   10.96.0.30   <pending>     8080:31000/TCP,53:31053/UDP   45s',
    'default       alias        ExternalName   <none>       example.com   <none>                        2d3h',
    'kube-system   kube-dns     ClusterIP      10.96.0.10   <none>        53/UDP,53/TCP                 5d',
  ));
});

test('kubectl get pods', { skip }, async () => {
  const { stdout } = await kubectl('get', 'pods');
  assert.equal(stdout, lines(
    'NAME    READY   STATUS              RESTARTS      AGE',
    'web-1   1/1     Running             2 (5s ago)    10m',
    'web-2   0/1     ContainerCreating   0             3s',
    'job-1   0/1     Completed           0             3h1m',
    'crash   0/1     CrashLoopBackOff    4 (20s ago)   90s',
    'old     1/1     Terminating         0             30s',
  ));
});

test('kubectl get pods -o wide', { skip }, async () => {
  const { stdout } = await kubectl('get', 'pods', '-o', 'wide');
  assert.equal(stdout, lines(
    'NAME    READY   STATUS              RESTARTS      AGE    IP            NODE     NOMINATED NODE   READINESS GATES',
    'web-1   1/1     Running             2 (5s ago)    10m    127.244.0.5   node-1   <none>           <none>',
    'web-2   0/1     ContainerCreating   0             3s     <none>        node-1   <none>           <none>',
    'job-1   0/1     Completed           0             3h1m   127.244.0.9   node-1   <none>           <none>',
    'crash   0/1     CrashLoopBackOff    4 (20s ago)   90s    127.244.0.7   node-1   <none>           <none>',
    'old     1/1     Terminating         0             30s    127.244.0.8   node-1   <none>           <none>',
  ));
});

// The watch sends the MODIFIED event with column definitions and the ADDED one without: kubectl prints no
// second header either way, and the stream's end ends the command.
test('kubectl get svc -w', { skip }, async () => {
  const { stdout } = await kubectl('get', 'svc', '-w');
  assert.equal(stdout, lines(
    'NAME         TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)                       AGE',
    'kubernetes   ClusterIP      10.96.0.1    <none>        443/TCP                       5d',
    'web          LoadBalancer   10.96.0.20   127.240.0.1   80:30080/TCP                  3m2s',
    'pending      LoadBalancer   10.96.0.30   <pending>     8080:31000/TCP,53:31053/UDP   45s',
    'alias        ExternalName   <none>       example.com   <none>                        2d3h',
    'pending      LoadBalancer   10.96.0.30   127.240.0.2   8080:31000/TCP,53:31053/UDP   45s',
    'db           ClusterIP      10.96.0.40   <none>        5432/TCP                      0s',
  ));
});

test('kubectl get on an empty list', { skip }, async () => {
  const { stdout, stderr } = await kubectl('get', 'endpoints');
  assert.equal(stdout, '');
  assert.equal(stderr, 'No resources found in default namespace.\n');
});

test('kubectl asks for a v1 Table, falling back to v1beta1, then plain JSON', { skip }, async () => {
  await kubectl('get', 'svc');
  const list = server.requests.find((r) => r.path.startsWith('/api/v1/namespaces/default/services'));
  assert.equal(
    list?.accept,
    'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
  );
});

// --sort-by makes kubectl ask for whole objects (includeObject=Object) and sort rows by a field inside them.
test('kubectl get pods --sort-by=.metadata.name', { skip }, async () => {
  const { stdout } = await kubectl('get', 'pods', '--sort-by=.metadata.name');
  assert.deepEqual(stdout.split('\n').map((l) => l.split(' ')[0]), ['NAME', 'crash', 'job-1', 'old', 'web-1', 'web-2', '']);
  assert.ok(server.requests.some((r) => r.path.includes('includeObject=Object')));
});

// --show-labels reads labels from the PartialObjectMetadata each row carries by default.
test('kubectl get svc --show-labels', { skip }, async () => {
  const { stdout } = await kubectl('get', 'svc', 'kube-dns', '-n', 'kube-system', '--show-labels');
  assert.equal(stdout, lines(
    'NAME       TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)         AGE   LABELS',
    'kube-dns   ClusterIP   10.96.0.10   <none>        53/UDP,53/TCP   5d    k8s-app=kube-dns',
  ));
});
