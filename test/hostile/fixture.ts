// The cluster the hostile suites attack: a real `kubesvc up`, two namespaces of known objects
// (`hostile` to aim at, `victim` that must survive `..` tricks), and a snapshot of what a user
// would see (kinds, names, uids, labels, annotations and spec) to prove a bad request changed nothing.
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../e2e/harness.js';
import { RawClient, describeResult, type RawResult } from './client.js';
import { isUpstreamStyle500 } from '../unit/fuzz/outcome.js';
import { customResourceDefinitions, kinds, kindNamed, ns, stored, type Kind } from './kinds.js';

export { kinds, kindNamed, ns, readOnly, stored, type Kind } from './kinds.js';

export const victim = 'victim';

/** The fixture object of each kind every update/patch case aims at. */
export const fixtureName = (k: Kind) => k.fixture;
export const objectPath = (k: Kind, name: string) => `${k.collection}/${name}`;

export interface Target {
  cluster: Cluster;
  client: RawClient;
  /** Pid of the kubesvc process, to prove it is the same process after each group. */
  pid: number;
  /** Kinds whose fixture object was refused (their cases cannot be judged), with the answer. */
  fixtureErrors: Map<string, string>;
  close(): Promise<void>;
}

export async function startTarget(): Promise<Target> {
  const cluster = await startCluster({ timeoutMs: 30_000 });
  const client = new RawClient(cluster);
  const fixtureErrors = new Map<string, string>();
  try {
    for (const name of [ns, victim]) await mustCreate(client, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await mustCreate(client, `/api/v1/namespaces/${victim}/services`, kindNamed('Service').base('keep'));
    for (const crd of customResourceDefinitions) await mustCreate(client, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    for (const k of kinds) {
      if (k.crd) await untilServed(client, k);
      if (!stored(k)) continue;
      const r = await client.send({ method: 'POST', path: k.collection, body: JSON.stringify(k.base(fixtureName(k))), bookkeeping: true });
      if (r.status !== 201 && !(k.kind === 'Namespace' && r.status === 409)) {
        fixtureErrors.set(k.kind, `the ${k.kind} fixture was refused (give the kind a valid object in test/hostile/kinds.ts): ${describeResult(r)}`);
      }
    }
  } catch (e) {
    client.close();
    await cluster.destroy();
    throw e;
  }
  return {
    cluster,
    client,
    pid: cluster.proc.pid!,
    fixtureErrors,
    async close() {
      client.close();
      await cluster.destroy();
    },
  };
}

async function mustCreate(client: RawClient, path: string, obj: unknown): Promise<void> {
  const r = await client.send({ method: 'POST', path, body: JSON.stringify(obj), bookkeeping: true });
  if (r.status === 201) return;
  throw new Error(`fixture ${path}: ${r.status} ${r.body}`);
}

/** Waits (at most 10 s) until a custom resource's CRD is Established and its collection answers. */
async function untilServed(client: RawClient, k: Kind): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await client.send({ method: 'GET', path: k.collection, bookkeeping: true });
    if (r.status === 200) return;
    if (Date.now() > deadline) throw new Error(`${k.collection} is not served 10 s after its CRD was created: ${describeResult(r)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

// Objects other components rewrite on their own (status, Events, Leases' renewals) are left out,
// and of the rest only what a client wrote is compared.
const notSnapshotted = new Set(['Event']);
// What the ServiceAccounts controller and the root CA publisher keep in every namespace.
const controllerOwned = new Set(['ServiceAccount default', 'ConfigMap kube-root-ca.crt']);

export type Snapshot = Map<string, string>;

/** What a client wrote to an object (not its status, not what controllers maintain), as one string. */
export function userView(kind: string, o: any): string {
  const m = o?.metadata ?? {};
  const { status: _s, metadata: _m, ...spec } = o ?? {};
  // The node lifecycle controller taints a Node no kubelet reports for; only its identity counts.
  const rest = kind === 'Node' ? undefined : spec;
  // The aggregation controller writes the rules of an aggregated ClusterRole.
  if (kind === 'ClusterRole' && spec.aggregationRule) delete spec.rules;
  return JSON.stringify({ uid: m.uid, labels: m.labels, annotations: m.annotations, finalizers: m.finalizers, ownerReferences: m.ownerReferences, rest });
}

export async function snapshot(client: RawClient): Promise<Snapshot> {
  const out: Snapshot = new Map();
  const lists = [
    ...kinds.filter((k) => stored(k) && k.verbs.includes('list') && !notSnapshotted.has(k.kind)).map((k) => ({ k: k.kind, path: k.collection })),
    { k: 'Service', path: `/api/v1/namespaces/${victim}/services` },
  ];
  for (const { k, path } of lists) {
    const r = await client.send({ method: 'GET', path, bookkeeping: true });
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
  const r = await t.client.send({ method: 'GET', path: '/readyz', timeoutMs: 5000, bookkeeping: true });
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
