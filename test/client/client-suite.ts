// The one test suite every Client implementation passes, against a real API server: the same
// calls must give the same objects, the same StatusErrors and the same watch streams.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/meta.js';
import { StatusError } from '../../src/machinery/status.js';
import type { Client, ResourceRef, WatchEvent, WatchOptions } from '../../src/client/client.js';
import { R } from '../../src/client/resources.js';
import { deployment, endpoints, namespace, type ClientFixture, type Setup } from './fixtures.js';
import { eventually } from './cluster.js';

async function rejectsWith(p: Promise<unknown>, code: number, reason: string): Promise<StatusError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected a StatusError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.reason, reason, e.message);
    return e;
  }
  assert.fail(`expected ${code} ${reason}, but the call succeeded`);
}

export interface Collected {
  events: WatchEvent[];
  closed: { err?: Error } | undefined;
  stop(): void;
}

export function collect(client: Client, res: ResourceRef, ns: string | undefined, opts: WatchOptions): Collected {
  const c: Collected = {
    events: [],
    closed: undefined,
    stop: () => h.stop(),
  };
  const h = client.watch(res, ns, opts, (e) => c.events.push(e), (err) => {
    assert.equal(c.closed, undefined, 'onClose called twice');
    c.closed = err ? { err } : {};
  });
  return c;
}

const summary = (evs: WatchEvent[]) => evs.map((e) => `${e.type} ${e.object.metadata?.name ?? ''}`);

export function runClientSuite(name: string, setup: Setup): void {
  describe(`Client suite: ${name}`, () => {
    let f: ClientFixture;
    let c: Client;
    const ns = 'suite';

    before(async () => {
      f = await setup();
      c = f.client;
      await c.create(R.namespaces, undefined, namespace(ns));
    });
    after(async () => {
      await f.close();
    });

    describe('CRUD', () => {
      it('creates, gets, updates and deletes', async () => {
        const created = await c.create(R.endpoints, ns, endpoints('crud', ns, { a: '1' }));
        assert.equal(created.kind, 'Endpoints');
        assert.equal(created.apiVersion, 'v1');
        assert.equal(created.metadata.namespace, ns);
        assert.ok(created.metadata.uid);
        assert.ok(created.metadata.creationTimestamp);
        assert.match(created.metadata.resourceVersion!, /^\d+$/);

        const got = await c.get(R.endpoints, ns, 'crud');
        assert.deepEqual(got, created);

        got.metadata.labels = { a: '2' };
        const updated = await c.update(R.endpoints, ns, got);
        assert.equal(updated.metadata.labels?.a, '2');
        assert.ok(Number(updated.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
        assert.equal(updated.metadata.uid, created.metadata.uid);

        const gone = await c.delete(R.endpoints, ns, 'crud');
        assert.equal(gone, undefined, 'a finished delete answers a Success Status, not the object');
        const e = await rejectsWith(c.get(R.endpoints, ns, 'crud'), 404, 'NotFound');
        assert.equal(e.message, 'endpoints "crud" not found');
        assert.equal(e.details?.name, 'crud');
        assert.equal(e.details?.kind, 'endpoints');
      });

      it('hands out copies and keeps none of the caller\'s objects', async () => {
        const input = endpoints('copies', ns, { keep: 'me' });
        const created = await c.create(R.endpoints, ns, input);
        input.metadata.labels!.keep = 'changed';
        created.metadata.labels!.keep = 'changed';
        const a = await c.get(R.endpoints, ns, 'copies');
        assert.equal(a.metadata.labels?.keep, 'me');
        a.metadata.labels!.keep = 'changed';
        const b = await c.get(R.endpoints, ns, 'copies');
        assert.equal(b.metadata.labels?.keep, 'me');
        const list = await c.list(R.endpoints, ns);
        list.items.find((i) => i.metadata.name === 'copies')!.metadata.labels!.keep = 'changed';
        assert.equal((await c.get(R.endpoints, ns, 'copies')).metadata.labels?.keep, 'me');
      });

      it('works on cluster-scoped resources', async () => {
        const created = await c.create(R.namespaces, undefined, namespace('suite-cluster-scoped'));
        assert.equal(created.metadata.namespace, undefined);
        const got = await c.get(R.namespaces, undefined, 'suite-cluster-scoped');
        assert.equal(got.metadata.uid, created.metadata.uid);
        const list = await c.list(R.namespaces, undefined);
        assert.ok(list.items.some((n) => n.metadata.name === 'default'));
      });

      it('dry run writes nothing', async () => {
        const dry = await c.create(R.endpoints, ns, endpoints('dry', ns), { dryRun: true });
        assert.equal(dry.metadata.name, 'dry');
        await rejectsWith(c.get(R.endpoints, ns, 'dry'), 404, 'NotFound');
      });

      it('generateName picks a name', async () => {
        const o = endpoints('', ns);
        delete o.metadata.name;
        o.metadata.generateName = 'gen-';
        const created = await c.create(R.endpoints, ns, o);
        assert.match(created.metadata.name!, /^gen-[a-z0-9]{5}$/);
      });

      it('delete with finalizers answers the object, still present', async () => {
        const o = endpoints('finalized', ns);
        o.metadata.finalizers = ['example.com/hold'];
        await c.create(R.endpoints, ns, o);
        const held = await c.delete(R.endpoints, ns, 'finalized');
        assert.ok(held?.metadata.deletionTimestamp);
        const still = await c.get(R.endpoints, ns, 'finalized');
        assert.ok(still.metadata.deletionTimestamp);
        await c.patch(R.endpoints, ns, 'finalized', 'merge', { metadata: { finalizers: null } });
        await rejectsWith(c.get(R.endpoints, ns, 'finalized'), 404, 'NotFound');
      });

      it('delete preconditions are checked', async () => {
        await c.create(R.endpoints, ns, endpoints('precond', ns));
        const e = await rejectsWith(c.delete(R.endpoints, ns, 'precond', { preconditions: { uid: 'not-the-uid' } }), 409, 'Conflict');
        assert.match(e.message, /Precondition failed: UID in precondition: not-the-uid/);
        await c.delete(R.endpoints, ns, 'precond');
      });
    });

    describe('errors', () => {
      it('404 for a missing object and for a missing namespace on create', async () => {
        await rejectsWith(c.get(R.endpoints, ns, 'nope'), 404, 'NotFound');
        await rejectsWith(c.delete(R.endpoints, ns, 'nope'), 404, 'NotFound');
        await rejectsWith(c.patch(R.endpoints, ns, 'nope', 'merge', { metadata: { labels: { x: 'y' } } }), 404, 'NotFound');
        await rejectsWith(c.create(R.endpoints, 'no-such-namespace', endpoints('x', 'no-such-namespace')), 404, 'NotFound');
      });

      it('409 AlreadyExists on a second create, 409 Conflict on a stale update', async () => {
        const first = await c.create(R.endpoints, ns, endpoints('dup', ns));
        const e = await rejectsWith(c.create(R.endpoints, ns, endpoints('dup', ns)), 409, 'AlreadyExists');
        assert.equal(e.message, 'endpoints "dup" already exists');
        await c.patch(R.endpoints, ns, 'dup', 'merge', { metadata: { labels: { v: '2' } } });
        first.metadata.labels = { v: 'stale' };
        const conflict = await rejectsWith(c.update(R.endpoints, ns, first), 409, 'Conflict');
        assert.match(conflict.message, /the object has been modified; please apply your changes to the latest version and try again/);
      });

      it('422 Invalid with causes naming the fields', async () => {
        const e = await rejectsWith(c.create(R.endpoints, ns, endpoints('bad', ns, {}, 'not-an-ip')), 422, 'Invalid');
        assert.match(e.message, /^Endpoints "bad" is invalid: /);
        assert.ok(e.details?.causes?.some((cause) => cause.field === 'subsets[0].addresses[0].ip'), JSON.stringify(e.details));
      });

      it('400 for a body of the wrong kind and for unsupported field selectors', async () => {
        const wrong = { ...endpoints('kind', ns), kind: 'Service' };
        await rejectsWith(c.create(R.endpoints, ns, wrong), 400, 'BadRequest');
        await rejectsWith(c.list(R.endpoints, ns, { fieldSelector: 'spec.nothing=1' }), 400, 'BadRequest');
      });
    });

    describe('server-side apply', () => {
      it('creates, records the manager, conflicts with another, and force takes the field', async () => {
        const cfg = (replicas: number) => ({ ...deployment('applied', ns), spec: { ...(deployment('applied', ns).spec as object), replicas } });
        const a = await c.patch(R.deployments, ns, 'applied', 'apply', cfg(2), { fieldManager: 'suite' });
        assert.equal((a.spec as { replicas: number }).replicas, 2);
        assert.deepEqual(a.metadata.managedFields?.map((e) => `${e.manager}/${e.operation}`), ['suite/Apply']);
        const e = await rejectsWith(c.patch(R.deployments, ns, 'applied', 'apply', cfg(3), { fieldManager: 'other' }), 409, 'Conflict');
        assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "suite": .spec.replicas');
        const f = await c.patch(R.deployments, ns, 'applied', 'apply', cfg(3), { fieldManager: 'other', force: true });
        assert.equal((f.spec as { replicas: number }).replicas, 3);
        await rejectsWith(c.patch(R.deployments, ns, 'applied', 'apply', cfg(3)), 422, 'Invalid');
      });
    });

    describe('status subresource', () => {
      it('a status write changes status only; a main write keeps status', async () => {
        const d = await c.create(R.deployments, ns, deployment('status', ns));
        d.status = { observedGeneration: 1, replicas: 3 };
        (d.spec as { replicas: number }).replicas = 5;
        const s = await c.update(R.deployments, ns, d, { subresource: 'status' });
        assert.deepEqual(s.status, { observedGeneration: 1, replicas: 3 });
        assert.equal((s.spec as { replicas: number }).replicas, 1, 'spec changes in a status write are ignored');

        s.status = { replicas: 99 };
        (s.spec as { replicas: number }).replicas = 2;
        const m = await c.update(R.deployments, ns, s);
        assert.equal((m.spec as { replicas: number }).replicas, 2);
        assert.equal((m.status as { replicas: number }).replicas, 3, 'status changes in a main write are ignored');
        assert.equal(m.metadata.generation, 2);

        const p = await c.patch(R.deployments, ns, 'status', 'merge', { status: { readyReplicas: 1 } }, { subresource: 'status' });
        assert.equal((p.status as { readyReplicas: number }).readyReplicas, 1);
        assert.equal(p.metadata.generation, 2);
      });

      it('404 for a subresource the kind does not have', async () => {
        const e = await rejectsWith(c.patch(R.endpoints, ns, 'x', 'merge', {}, { subresource: 'status' }), 404, 'NotFound');
        assert.equal(e.message, 'the server could not find the requested resource');
      });
    });

    describe('subresource create', () => {
      it('POSTs to <object>/<subresource>: pods/binding binds the pod and answers 201 Success', async () => {
        const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod-1', namespace: ns }, spec: { containers: [{ name: 'c', image: 'pause' }] } };
        await c.create(R.pods, ns, pod as unknown as KubeObject);
        const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'pod-1', namespace: ns }, target: { kind: 'Node', name: 'node-a' } };
        const out = await c.create(R.pods, ns, binding, { subresource: 'binding' });
        assert.equal(out.kind, 'Status');
        assert.equal((out as unknown as { status: string; code: number }).status, 'Success');
        assert.equal((out as unknown as { code: number }).code, 201);
        const bound = await c.get<KubeObject & { spec: { nodeName?: string } }>(R.pods, ns, 'pod-1');
        assert.equal(bound.spec.nodeName, 'node-a');
        // Bound once: a second binding is upstream's 409.
        const e = await rejectsWith(c.create(R.pods, ns, binding, { subresource: 'binding' }), 409, 'Conflict');
        assert.equal(e.message, 'Operation cannot be fulfilled on pods/binding "pod-1": pod pod-1 is already assigned to node "node-a"');
      });

      it('404 for a subresource the resource does not have', async () => {
        const e = await rejectsWith(c.create(R.deployments, ns, deployment('d', ns), { subresource: 'binding' }), 404, 'NotFound');
        assert.equal(e.message, 'the server could not find the requested resource');
      });
    });

    describe('patch', () => {
      it('merge patch', async () => {
        await c.create(R.endpoints, ns, endpoints('merge', ns, { a: '1', b: '2' }));
        const p = await c.patch(R.endpoints, ns, 'merge', 'merge', { metadata: { labels: { a: null, c: '3' } } });
        assert.deepEqual(p.metadata.labels, { b: '2', c: '3' });
      });

      it('JSON patch', async () => {
        await c.create(R.endpoints, ns, endpoints('jsonpatch', ns, { a: '1' }));
        const p = await c.patch(R.endpoints, ns, 'jsonpatch', 'json', [
          { op: 'add', path: '/metadata/annotations', value: { note: 'x' } },
          { op: 'replace', path: '/metadata/labels/a', value: '9' },
        ]);
        assert.deepEqual(p.metadata.annotations, { note: 'x' });
        assert.equal(p.metadata.labels?.a, '9');
        const e = await rejectsWith(
          c.patch(R.endpoints, ns, 'jsonpatch', 'json', [{ op: 'test', path: '/metadata/labels/a', value: 'other' }]),
          422,
          'Invalid',
        );
        assert.ok(e.message.length > 0);
      });

      it('strategic merge patch merges containers by name', async () => {
        await c.create(R.deployments, ns, deployment('smp', ns));
        const p = await c.patch(R.deployments, ns, 'smp', 'strategic', {
          spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } },
        });
        const containers = (p.spec as { template: { spec: { containers: { name: string; image: string }[] } } }).template.spec.containers;
        assert.deepEqual(
          containers.map((x) => `${x.name}=${x.image}`),
          ['web=nginx:2', 'sidecar=busybox:1'],
        );
      });
    });

    describe('list', () => {
      before(async () => {
        for (let i = 0; i < 5; i++) {
          await c.create(R.endpoints, ns, endpoints(`list-${i}`, ns, { group: 'list', parity: i % 2 ? 'odd' : 'even' }));
        }
      });

      it('by label selector', async () => {
        const l = await c.list(R.endpoints, ns, { labelSelector: 'group=list,parity=odd' });
        assert.equal(l.kind, 'EndpointsList');
        assert.equal(l.apiVersion, 'v1');
        assert.match(l.metadata.resourceVersion!, /^\d+$/);
        assert.deepEqual(l.items.map((i) => i.metadata.name), ['list-1', 'list-3']);
        const set = await c.list(R.endpoints, ns, { labelSelector: 'parity in (even),group' });
        assert.deepEqual(set.items.map((i) => i.metadata.name), ['list-0', 'list-2', 'list-4']);
      });

      it('by field selector', async () => {
        const l = await c.list(R.endpoints, ns, { fieldSelector: 'metadata.name=list-2' });
        assert.deepEqual(l.items.map((i) => i.metadata.name), ['list-2']);
        const all = await c.list(R.endpoints, undefined, { fieldSelector: `metadata.namespace=${ns}`, labelSelector: 'group=list' });
        assert.equal(all.items.length, 5);
      });

      it('in pages with limit and continue', async () => {
        const p1 = await c.list(R.endpoints, ns, { labelSelector: 'group=list', limit: 2 });
        assert.equal(p1.items.length, 2);
        assert.ok(p1.metadata.continue);
        const p2 = await c.list(R.endpoints, ns, { labelSelector: 'group=list', limit: 2, continue: p1.metadata.continue! });
        const p3 = await c.list(R.endpoints, ns, { labelSelector: 'group=list', limit: 2, continue: p2.metadata.continue! });
        assert.equal(p3.metadata.continue, undefined);
        assert.deepEqual([...p1.items, ...p2.items, ...p3.items].map((i) => i.metadata.name), ['list-0', 'list-1', 'list-2', 'list-3', 'list-4']);
      });

      it('across namespaces', async () => {
        const l = await c.list(R.endpoints, undefined, {});
        assert.ok(l.items.some((i) => i.metadata.namespace === 'default' && i.metadata.name === 'kubernetes'));
        assert.ok(l.items.some((i) => i.metadata.namespace === ns));
      });
    });

    describe('watch', () => {
      it('streams adds, updates and deletes in order from a resourceVersion', async () => {
        const start = await c.list(R.endpoints, ns);
        const w = collect(c, R.endpoints, ns, { resourceVersion: start.metadata.resourceVersion!, labelSelector: 'w=order' });
        await c.create(R.endpoints, ns, endpoints('w1', ns, { w: 'order' }));
        await c.patch(R.endpoints, ns, 'w1', 'merge', { metadata: { annotations: { n: '1' } } });
        await c.create(R.endpoints, ns, endpoints('w2', ns, { w: 'order' }));
        await c.delete(R.endpoints, ns, 'w1');
        await eventually(() => assert.equal(w.events.length, 4));
        assert.deepEqual(summary(w.events), ['ADDED w1', 'MODIFIED w1', 'ADDED w2', 'DELETED w1']);
        const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
        assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b));
        assert.equal((w.events[1]!.object.metadata.annotations as Record<string, string>).n, '1');
        assert.equal(w.closed, undefined);
        w.stop();
        assert.deepEqual(w.closed, {}, 'stop() closes without an error');

        // Resuming after the first event replays the rest.
        const resumed = collect(c, R.endpoints, ns, { resourceVersion: w.events[0]!.object.metadata.resourceVersion!, labelSelector: 'w=order' });
        await eventually(() => assert.equal(resumed.events.length, 3));
        assert.deepEqual(summary(resumed.events), ['MODIFIED w1', 'ADDED w2', 'DELETED w1']);
        resumed.stop();
      });

      it('without a resourceVersion starts with the current objects', async () => {
        const w = collect(c, R.endpoints, ns, { labelSelector: 'group=list', fieldSelector: 'metadata.name=list-3' });
        await eventually(() => assert.equal(w.events.length, 1));
        assert.deepEqual(summary(w.events), ['ADDED list-3']);
        assert.equal(w.events[0]!.object.kind, 'Endpoints');
        w.stop();
      });

      it('a label change out of the selector is a DELETED, into it an ADDED', async () => {
        await c.create(R.endpoints, ns, endpoints('hop', ns, { sel: 'no' }));
        const rv = (await c.list(R.endpoints, ns)).metadata.resourceVersion!;
        const w = collect(c, R.endpoints, ns, { resourceVersion: rv, labelSelector: 'sel=yes' });
        await c.patch(R.endpoints, ns, 'hop', 'merge', { metadata: { labels: { sel: 'yes' } } });
        await c.patch(R.endpoints, ns, 'hop', 'merge', { metadata: { labels: { sel: 'no' } } });
        await eventually(() => assert.equal(w.events.length, 2));
        assert.deepEqual(summary(w.events), ['ADDED hop', 'DELETED hop']);
        w.stop();
      });

      it('a too-old resourceVersion is an ERROR event with 410, then onClose(StatusError)', async () => {
        const w = collect(c, R.endpoints, ns, { resourceVersion: '1' });
        await eventually(() => assert.ok(w.closed));
        assert.equal(w.events.length, 1);
        assert.equal(w.events[0]!.type, 'ERROR');
        const status = w.events[0]!.object as unknown as { kind: string; code: number; reason: string };
        assert.equal(status.kind, 'Status');
        assert.equal(status.code, 410);
        assert.equal(status.reason, 'Expired');
        const err = w.closed!.err;
        assert.ok(err instanceof StatusError);
        assert.equal(err.code, 410);
        assert.equal(err.reason, 'Expired');
        assert.match(err.message, /too old resource version: 1/);
      });

      it('a bad selector closes the watch with a 400', async () => {
        const w = collect(c, R.endpoints, ns, { fieldSelector: 'spec.nothing=1' });
        await eventually(() => assert.ok(w.closed));
        assert.equal(w.events.length, 0);
        assert.ok(w.closed!.err instanceof StatusError);
        assert.equal((w.closed!.err as StatusError).code, 400);
      });

      it('timeoutSeconds ends the watch without an error', async () => {
        const w = collect(c, R.endpoints, ns, { resourceVersion: (await c.list(R.endpoints, ns)).metadata.resourceVersion!, timeoutSeconds: 1 });
        await eventually(() => assert.ok(w.closed), 4000);
        assert.equal(w.closed!.err, undefined);
      });

      it('a handler that throws does not end the watch', async () => {
        const rv = (await c.list(R.endpoints, ns)).metadata.resourceVersion!;
        const seen: string[] = [];
        const h = c.watch(R.endpoints, ns, { resourceVersion: rv, labelSelector: 'throws' }, (ev) => {
          seen.push(ev.object.metadata.name!);
          throw new Error('handler bug');
        });
        await c.create(R.endpoints, ns, endpoints('throw-1', ns, { throws: 'yes' }));
        await c.create(R.endpoints, ns, endpoints('throw-2', ns, { throws: 'yes' }));
        await eventually(() => assert.deepEqual(seen, ['throw-1', 'throw-2']));
        h.stop();
      });

      it('delivers events after the write that caused them returned, so a handler may write', async () => {
        const rv = (await c.list(R.endpoints, ns)).metadata.resourceVersion!;
        const seen: string[] = [];
        const writes: Promise<KubeObject>[] = [];
        const h = c.watch(R.endpoints, ns, { resourceVersion: rv, labelSelector: 'chain' }, (ev) => {
          seen.push(`${ev.type} ${ev.object.metadata.name}`);
          const n = Number(ev.object.metadata.labels?.chain);
          if (ev.type === 'ADDED' && n < 3) writes.push(c.create(R.endpoints, ns, endpoints(`chain-${n + 1}`, ns, { chain: String(n + 1) })));
        });
        await c.create(R.endpoints, ns, endpoints('chain-1', ns, { chain: '1' }));
        await eventually(() => assert.equal(seen.length, 3));
        await Promise.all(writes);
        assert.deepEqual(seen, ['ADDED chain-1', 'ADDED chain-2', 'ADDED chain-3']);
        h.stop();
      });
    });
  });
}
