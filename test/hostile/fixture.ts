// The cluster the hostile suites attack: a real `kubesvc up`, two namespaces of known objects
// (`hostile` to aim at, `victim` that must survive `..` tricks), and a snapshot of what a user
// would see (kinds, names, uids, labels, annotations and spec) to prove a bad request changed nothing.
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../e2e/harness.js';
import { RawClient, describeResult, type RawResult } from './client.js';
import { isUpstreamStyle500 } from '../unit/fuzz/outcome.js';

export const ns = 'hostile';
export const victim = 'victim';

export interface Kind {
  kind: string;
  apiVersion: string;
  /** Collection path for create/list/watch, in the `hostile` namespace when namespaced. */
  collection: string;
  namespaced: boolean;
  /** A valid object of this kind named `name` (apps kinds run 0 replicas, so nothing is started). */
  base(name: string): Record<string, any>;
  /** Subresources with their own verbs, as served (src/apiserver/resources.ts). */
  status: boolean;
  scale: boolean;
}

const pause = { name: 'c', image: 'registry.k8s.io/pause' };
const podTemplate = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [pause] } });

export const kinds: Kind[] = [
  {
    kind: 'Namespace', apiVersion: 'v1', collection: '/api/v1/namespaces', namespaced: false, status: true, scale: false,
    base: (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  },
  {
    kind: 'Service', apiVersion: 'v1', collection: `/api/v1/namespaces/${ns}/services`, namespaced: true, status: true, scale: false,
    base: (name) => ({
      apiVersion: 'v1', kind: 'Service', metadata: { name, labels: { tier: 'fx' } },
      spec: { type: 'ClusterIP', selector: { app: 'fx' }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }] },
    }),
  },
  {
    kind: 'Endpoints', apiVersion: 'v1', collection: `/api/v1/namespaces/${ns}/endpoints`, namespaced: true, status: false, scale: false,
    base: (name) => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, labels: { app: 'fx' } }, subsets: [] }),
  },
  {
    kind: 'Pod', apiVersion: 'v1', collection: `/api/v1/namespaces/${ns}/pods`, namespaced: true, status: true, scale: false,
    // Bound to a node that does not exist: a Pod a bug lets in never starts a process, and goes at once.
    base: (name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'fxpod' } }, spec: { nodeName: 'hostile-nowhere', containers: [pause] } }),
  },
  {
    kind: 'Node', apiVersion: 'v1', collection: '/api/v1/nodes', namespaced: false, status: true, scale: false,
    // Unschedulable and tainted, so a Node a bug lets in never receives a pod.
    base: (name) => ({
      apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { app: 'fx' } },
      spec: { unschedulable: true, taints: [{ key: 'hostile', effect: 'NoSchedule' }] },
    }),
  },
  {
    kind: 'Event', apiVersion: 'v1', collection: `/api/v1/namespaces/${ns}/events`, namespaced: true, status: false, scale: false,
    base: (name) => ({
      apiVersion: 'v1', kind: 'Event', metadata: { name },
      involvedObject: { kind: 'Pod', namespace: ns, name: 'x' }, reason: 'Test', message: 'm', type: 'Normal', count: 1,
    }),
  },
  {
    kind: 'Deployment', apiVersion: 'apps/v1', collection: `/apis/apps/v1/namespaces/${ns}/deployments`, namespaced: true, status: true, scale: true,
    base: (name) => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { app: 'fx' } },
      spec: { replicas: 0, selector: { matchLabels: { app: `d-${name}` } }, template: podTemplate(`d-${name}`) },
    }),
  },
  {
    kind: 'ReplicaSet', apiVersion: 'apps/v1', collection: `/apis/apps/v1/namespaces/${ns}/replicasets`, namespaced: true, status: true, scale: true,
    base: (name) => ({
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, labels: { app: 'fx' } },
      spec: { replicas: 0, selector: { matchLabels: { app: `r-${name}` } }, template: podTemplate(`r-${name}`) },
    }),
  },
  {
    kind: 'StatefulSet', apiVersion: 'apps/v1', collection: `/apis/apps/v1/namespaces/${ns}/statefulsets`, namespaced: true, status: true, scale: true,
    base: (name) => ({
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, labels: { app: 'fx' } },
      spec: { replicas: 0, serviceName: 'fx', selector: { matchLabels: { app: `s-${name}` } }, template: podTemplate(`s-${name}`) },
    }),
  },
  {
    kind: 'DaemonSet', apiVersion: 'apps/v1', collection: `/apis/apps/v1/namespaces/${ns}/daemonsets`, namespaced: true, status: true, scale: false,
    base: (name) => ({
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, labels: { app: 'fx' } },
      spec: { selector: { matchLabels: { app: `ds-${name}` } }, template: { ...podTemplate(`ds-${name}`), spec: { ...podTemplate(`ds-${name}`).spec, nodeSelector: { 'kubesvc.test/none': 'x' } } } },
    }),
  },
  {
    kind: 'ControllerRevision', apiVersion: 'apps/v1', collection: `/apis/apps/v1/namespaces/${ns}/controllerrevisions`, namespaced: true, status: false, scale: false,
    base: (name) => ({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name, labels: { app: 'fx' } }, data: { spec: { template: {} } }, revision: 1 }),
  },
  {
    kind: 'Job', apiVersion: 'batch/v1', collection: `/apis/batch/v1/namespaces/${ns}/jobs`, namespaced: true, status: true, scale: false,
    // Suspended: the cases exercise the API, not running pods.
    base: (name) => ({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name, labels: { app: 'fx' } },
      spec: { suspend: true, backoffLimit: 1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] } } },
    }),
  },
  {
    kind: 'CronJob', apiVersion: 'batch/v1', collection: `/apis/batch/v1/namespaces/${ns}/cronjobs`, namespaced: true, status: true, scale: false,
    base: (name) => ({
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, labels: { app: 'fx' } },
      spec: { schedule: '@yearly', suspend: true, jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } } },
    }),
  },
  {
    kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', collection: `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, namespaced: true, status: false, scale: false,
    base: (name) => ({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, labels: { app: 'fx' } },
      addressType: 'IPv4', endpoints: [{ addresses: ['10.1.2.3'], conditions: { ready: true } }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    }),
  },
  {
    kind: 'ConfigMap', apiVersion: 'v1', collection: `/api/v1/namespaces/${ns}/configmaps`, namespaced: true, status: false, scale: false,
    base: (name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'fx' } }, data: { 'app.properties': 'a=b' }, binaryData: { blob: 'AAEC' } }),
  },
  {
    kind: 'Secret', apiVersion: 'v1', collection: `/api/v1/namespaces/${ns}/secrets`, namespaced: true, status: false, scale: false,
    base: (name) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, labels: { app: 'fx' } }, type: 'Opaque', data: { password: 'czNjcjN0' } }),
  },
  {
    kind: 'ServiceAccount', apiVersion: 'v1', collection: `/api/v1/namespaces/${ns}/serviceaccounts`, namespaced: true, status: false, scale: false,
    base: (name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, labels: { app: 'fx' } }, imagePullSecrets: [{ name: 'pull' }], automountServiceAccountToken: false }),
  },
  {
    kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', collection: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, namespaced: true, status: false, scale: false,
    base: (name) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, labels: { app: 'fx' } }, spec: { holderIdentity: 'h', leaseDurationSeconds: 15 } }),
  },
];

export function kindNamed(k: string): Kind {
  const found = kinds.find((x) => x.kind === k);
  if (!found) throw new Error(`no kind ${k}`);
  return found;
}

/** The fixture object of each kind every update/patch case aims at. */
// Not named after a Service: the Endpoints and EndpointSlice controllers would take those over.
export const fixtureName = (k: Kind) => (k.namespaced ? `fx-${k.kind.toLowerCase()}` : `hostile-fx-${k.kind.toLowerCase()}`);
export const objectPath = (k: Kind, name: string) => `${k.collection}/${name}`;

export interface Target {
  cluster: Cluster;
  client: RawClient;
  /** Pid of the kubesvc process, to prove it is the same process after each group. */
  pid: number;
  close(): Promise<void>;
}

export async function startTarget(): Promise<Target> {
  const cluster = await startCluster({ timeoutMs: 30_000 });
  const client = new RawClient(cluster);
  try {
    for (const name of [ns, victim]) await mustCreate(client, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await mustCreate(client, `/api/v1/namespaces/${victim}/services`, kindNamed('Service').base('keep'));
    for (const k of kinds) await mustCreate(client, k.collection, k.base(fixtureName(k)), k.kind === 'Namespace');
  } catch (e) {
    client.close();
    await cluster.destroy();
    throw e;
  }
  return {
    cluster,
    client,
    pid: cluster.proc.pid!,
    async close() {
      client.close();
      await cluster.destroy();
    },
  };
}

async function mustCreate(client: RawClient, path: string, obj: unknown, existsOk = false): Promise<void> {
  const r = await client.send({ method: 'POST', path, body: JSON.stringify(obj) });
  if (r.status === 201 || (existsOk && r.status === 409)) return;
  throw new Error(`fixture ${path}: ${describeResult(r)}`);
}

// Objects other components rewrite on their own (status, endpoints, events, leases) are left out,
// and of the rest only what a client wrote is compared.
const snapshotKinds = ['Namespace', 'Service', 'Pod', 'Node', 'Deployment', 'ReplicaSet', 'EndpointSlice', 'Endpoints', 'Lease', 'ConfigMap', 'Secret', 'ServiceAccount'];
// What the ServiceAccounts controller and the root CA publisher keep in every namespace.
const controllerOwned = new Set(['ServiceAccount default', 'ConfigMap kube-root-ca.crt']);

export type Snapshot = Map<string, string>;

/** What a client wrote to an object (not its status, not what controllers maintain), as one string. */
export function userView(kind: string, o: any): string {
  const m = o?.metadata ?? {};
  const { status: _s, metadata: _m, ...spec } = o ?? {};
  // The node lifecycle controller taints a Node no kubelet reports for; only its identity counts.
  const rest = kind === 'Node' ? undefined : spec;
  return JSON.stringify({ uid: m.uid, labels: m.labels, annotations: m.annotations, finalizers: m.finalizers, ownerReferences: m.ownerReferences, rest });
}

export async function snapshot(client: RawClient): Promise<Snapshot> {
  const out: Snapshot = new Map();
  const lists = [
    ...kinds.filter((k) => snapshotKinds.includes(k.kind)).map((k) => ({ k: k.kind, path: k.collection })),
    { k: 'Service', path: `/api/v1/namespaces/${victim}/services` },
  ];
  for (const { k, path } of lists) {
    const r = await client.send({ method: 'GET', path });
    assert.equal(r.status, 200, `snapshot list ${path}: ${describeResult(r)}`);
    for (const o of JSON.parse(r.body).items as any[]) {
      const m = o.metadata ?? {};
      // Controllers own EndpointSlices/Endpoints named after Services and Nodes' status; keep client-written ones only.
      if ((k === 'EndpointSlice' || k === 'Endpoints') && !(m.labels?.app === 'fx')) continue;
      if (k === 'Node' && !String(m.name).startsWith('hostile-')) continue;
      if (controllerOwned.has(`${k} ${m.name}`)) continue;
      out.set(`${k} ${m.namespace ?? ''}/${m.name}`, userView(k, o));
    }
  }
  return out;
}

/** A case changed what a client had written: the cluster is not fit for the next case. */
export class StoreChanged extends Error {}

/** Runs `fn` and throws StoreChanged if anything a client wrote changed in the store. */
export async function expectUnchanged(client: RawClient, fn: () => Promise<void>): Promise<void> {
  const before = await snapshot(client);
  await fn();
  const changes = diffSnapshots(before, await snapshot(client));
  if (changes.length) throw new StoreChanged(`the store changed:\n${changes.join('\n')}`);
}

/** The differences between two snapshots, one line each; empty when nothing changed. */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const [k, v] of before) {
    if (!after.has(k)) out.push(`deleted: ${k}`);
    else if (after.get(k) !== v) out.push(`changed: ${k}: ${v.slice(0, 200)} -> ${after.get(k)!.slice(0, 200)}`);
  }
  for (const k of after.keys()) if (!before.has(k)) out.push(`created: ${k}`);
  return out;
}

/** The server still answers /readyz and is the same process that started. */
export async function assertAlive(t: Target, after: string): Promise<void> {
  const alive = t.cluster.proc.exitCode === null && t.cluster.proc.signalCode === null;
  assert.ok(alive, `kubesvc exited (code ${t.cluster.proc.exitCode}, signal ${t.cluster.proc.signalCode}) after ${after}; stderr tail:\n${t.cluster.stderr().slice(-1500)}`);
  const r = await t.client.send({ method: 'GET', path: '/readyz', timeoutMs: 5000 });
  assert.equal(r.status, 200, `/readyz after ${after}: ${describeResult(r)}`);
}

/** A 4xx answer with a Status body whose code matches, or a message saying what came instead. */
export function checkClientError(res: RawResult, codes?: readonly number[]): string | undefined {
  if (res.status === 0) return `expected a 4xx Status, got ${describeResult(res)}`;
  if (res.status < 400 || res.status >= 500 || (codes && !codes.includes(res.status))) {
    return `expected ${codes ? codes.join('/') : '4xx'} Status, got ${describeResult(res)}`;
  }
  let s: any;
  try {
    s = JSON.parse(res.body);
  } catch {
    return `expected a Status body with ${res.status}, got ${describeResult(res)}`;
  }
  if (s?.kind !== 'Status' || s.code !== res.status) return `expected kind Status with code ${res.status}, got ${describeResult(res)}`;
  return undefined;
}

/**
 * Not a 5xx and not a dropped connection (for cases where upstream's answer is not pinned down);
 * with `upstream500`, also upstream's own 500 for a strategic-merge patcher error (see isUpstreamStyle500).
 */
export function checkNot5xx(res: RawResult, upstream500 = false): string | undefined {
  if (res.status === 0) return `expected an answer, got ${describeResult(res)}`;
  if (res.status < 500) return undefined;
  let s: any;
  try {
    s = JSON.parse(res.body);
  } catch {
    s = undefined;
  }
  if (upstream500 && s?.kind === 'Status' && isUpstreamStyle500(res.status, s.reason ?? '', s.message ?? '')) return undefined;
  return `expected no server error, got ${describeResult(res)}`;
}

/** A List of the kind: 200 and `<Kind>List`. */
export function checkList(res: RawResult): string | undefined {
  let kind: unknown;
  try {
    kind = JSON.parse(res.body)?.kind;
  } catch {
    kind = undefined;
  }
  return res.status === 200 && typeof kind === 'string' && kind.endsWith('List') ? undefined : `expected a List, got ${describeResult(res)}`;
}

/** A watch stream: 200, and every line an event (no List, which is what a client that meant to watch cannot use). */
export function checkWatchStream(res: RawResult): string | undefined {
  if (res.status !== 200) return `expected a watch stream, got ${describeResult(res)}`;
  for (const line of res.body.split('\n').filter((l) => l.trim() !== '')) {
    let ev: any;
    try {
      ev = JSON.parse(line);
    } catch {
      return `expected watch events, got a line that is not JSON: ${line.slice(0, 200)}`;
    }
    if (!['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK'].includes(ev?.type)) return `expected watch events, got ${line.slice(0, 200)}`;
  }
  return undefined;
}
