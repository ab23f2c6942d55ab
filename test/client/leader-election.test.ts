// Leader election on a coordination.k8s.io/v1 Lease, with candidates on one real API server
// (SQLite storage) through the in-process and the HTTPS client, as two kube-controller-managers on one cluster:
// exactly one leads; a standby takes over when the leader stops renewing (within leaseDuration +
// retry period); a leader cut off from the API server stops before anyone else can start; a
// leader whose Lease was taken stops at once; a released Lease is taken without waiting.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isConflict } from '../../src/machinery/status.js';
import { LocalClient } from '../../src/apiserver/local-client.js';
import type { Client } from '../../src/client/client.js';
import { EventRecorder } from '../../src/client/events.js';
import { HttpClient } from '../../src/client/http-client.js';
import { LeaderElector, validateLeaderElectionTimings, type LeaderElectionConfig } from '../../src/client/leader-election.js';
import { R } from '../../src/client/resources.js';
import type { Event } from '../../src/api/core.js';
import type { Lease } from '../../src/api/validation/lease.js';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { eventually } from '../controllers/cluster.js';

const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1000, retryPeriodMs: 200 };

/** A candidate that logs when it leads, so a test can check two never lead at once. */
interface Candidate {
  elector: LeaderElector;
  leading: boolean;
  /** [start, end) of each term, in ms. */
  terms: [number, number][];
  /** Makes every request fail, as a network partition would. */
  cut: boolean;
}

function candidate(client: Client, name: string, identity: string, extra: Partial<LeaderElectionConfig> = {}): Candidate {
  const c = { leading: false, terms: [], cut: false } as unknown as Candidate;
  const partitioned = new Proxy(client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => (c.cut ? Promise.reject(new Error('connect ECONNREFUSED')) : (v as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  c.elector = new LeaderElector({
    client: partitioned,
    namespace: 'kube-system',
    name,
    identity,
    ...timings,
    recorder: new EventRecorder(client, 'kube-controller-manager'),
    onStartedLeading: () => {
      c.leading = true;
      c.terms.push([Date.now(), Infinity]);
    },
    onStoppedLeading: () => {
      c.leading = false;
      c.terms.at(-1)![1] = Date.now();
    },
    ...extra,
  });
  return c;
}

function overlap(a: Candidate, b: Candidate): boolean {
  return a.terms.some(([s1, e1]) => b.terms.some(([s2, e2]) => s1 < e2 && s2 < e1));
}

describe('leader election', () => {
  let t: TestApiServer;
  let client: Client;
  const running: Candidate[] = [];

  before(async () => {
    t = await startTestApiServer({ prefix: 'kubesvc-le-' });
    client = new LocalClient(t.api);
  });
  after(async () => {
    for (const c of running) await c.elector.stop();
    await t.stop();
  });

  function start(name: string, identity: string, extra: Partial<LeaderElectionConfig> = {}, via: Client = client): Candidate {
    const c = candidate(via, name, identity, extra);
    running.push(c);
    c.elector.run();
    return c;
  }

  it('exactly one of two candidates leads, and the Lease and an event say who', async () => {
    // One in process, one over HTTPS, as a second `kubesvc server` would be.
    const http = HttpClient.fromKubeconfig(t.kubeconfig);
    const a = start('lease-one', 'host-a_1');
    const b = start('lease-one', 'host-b_2', {}, http);
    await eventually(() => a.leading || b.leading, 3000);
    // Give the standby a few retry periods to (wrongly) lead too.
    await new Promise((r) => setTimeout(r, 4 * timings.retryPeriodMs));
    assert.equal(Number(a.leading) + Number(b.leading), 1);
    const leader = a.leading ? a : b;
    const lease = await client.get<Lease>(R.leases, 'kube-system', 'lease-one');
    assert.equal(lease.spec?.holderIdentity, leader.elector.identity);
    assert.equal(lease.spec?.leaseDurationSeconds, 2);
    assert.equal(lease.spec?.leaseTransitions, 0);
    assert.match(lease.spec?.acquireTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok(lease.spec!.renewTime! >= lease.spec!.acquireTime!);
    assert.equal(a.elector.getLeader(), leader.elector.identity);
    assert.equal(b.elector.getLeader(), leader.elector.identity);
    await eventually(async () => {
      const events = await client.list<Event>(R.events, 'kube-system');
      const ev = events.items.find((e) => e.involvedObject.kind === 'Lease' && e.involvedObject.name === 'lease-one');
      assert.equal(ev?.reason, 'LeaderElection');
      assert.equal(ev?.message, `${leader.elector.identity} became leader`);
      assert.equal(ev?.source?.component, 'kube-controller-manager');
    }, 3000);
    await a.elector.stop();
    await b.elector.stop();
    http.close();
  });

  it('a standby takes over within leaseDuration + retry period when the leader stops renewing', async (t) => {
    const a = start('lease-two', 'host-a_3');
    await eventually(() => a.leading, 3000);
    const b = start('lease-two', 'host-b_4');
    await new Promise((r) => setTimeout(r, 2 * timings.retryPeriodMs));
    assert.equal(b.leading, false);
    // The leader dies: it stops renewing and never hands the Lease back.
    a.cut = true;
    const diedAt = Date.now();
    await eventually(() => b.leading, timings.leaseDurationMs + 3 * timings.retryPeriodMs + 1000);
    const tookMs = Date.now() - diedAt;
    // Slack for a loaded machine; the figure itself is reported.
    assert.ok(tookMs <= timings.leaseDurationMs + (1 + 1.2) * timings.retryPeriodMs + 1000, `took over after ${tookMs} ms`);
    t.diagnostic(`standby took over ${tookMs} ms after the leader stopped renewing (lease ${timings.leaseDurationMs} ms, retry ${timings.retryPeriodMs} ms)`);
    // The cut-off leader gave up within its renew deadline, before the standby started.
    assert.equal(a.leading, false);
    assert.equal(overlap(a, b), false, JSON.stringify({ a: a.terms, b: b.terms }));
    const lease = await client.get<Lease>(R.leases, 'kube-system', 'lease-two');
    assert.equal(lease.spec?.holderIdentity, 'host-b_4');
    assert.equal(lease.spec?.leaseTransitions, 1);
    // Back on the network, the old leader stands by: it does not lead again while b renews.
    a.cut = false;
    await new Promise((r) => setTimeout(r, 4 * timings.retryPeriodMs));
    assert.equal(a.leading, false);
    assert.equal(b.leading, true);
    await a.elector.stop();
    await b.elector.stop();
  });

  it('a leader whose Lease someone else took stops at once, not at its renew deadline', async () => {
    const a = start('lease-three', 'host-a_5');
    await eventually(() => a.leading, 3000);
    // The leader renews meanwhile: take the Lease as it is now, again if a renewal came between.
    for (let tries = 0; ; tries++) {
      const lease = await client.get<Lease>(R.leases, 'kube-system', 'lease-three');
      try {
        await client.update(R.leases, 'kube-system', { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder', renewTime: lease.spec?.renewTime } });
        break;
      } catch (e) {
        if (!isConflict(e) || tries >= 10) throw e;
      }
    }
    const takenAt = Date.now();
    await eventually(() => !a.leading, 2000);
    assert.ok(Date.now() - takenAt < timings.renewDeadlineMs, `stopped after ${Date.now() - takenAt} ms`);
    await a.elector.stop();
  });

  it('a Lease released on a clean stop is taken by the standby without waiting for it to expire', async () => {
    const a = start('lease-four', 'host-a_6', { releaseOnCancel: true });
    await eventually(() => a.leading, 3000);
    const b = start('lease-four', 'host-b_7');
    await new Promise((r) => setTimeout(r, timings.retryPeriodMs));
    const stoppedAt = Date.now();
    await a.elector.stop();
    assert.equal(a.leading, false);
    const released = await client.get<Lease>(R.leases, 'kube-system', 'lease-four');
    assert.equal(released.spec?.holderIdentity, '');
    await eventually(() => b.leading, 3000);
    assert.ok(Date.now() - stoppedAt < timings.leaseDurationMs, `took over after ${Date.now() - stoppedAt} ms`);
    await b.elector.stop();
  });

  it('timings are checked as NewLeaderElector checks them', () => {
    assert.equal(validateLeaderElectionTimings({ leaseDurationMs: 15000, renewDeadlineMs: 10000, retryPeriodMs: 2000 }), undefined);
    assert.equal(validateLeaderElectionTimings({ leaseDurationMs: 10000, renewDeadlineMs: 10000, retryPeriodMs: 2000 }), 'leaseDuration must be greater than renewDeadline');
    assert.equal(validateLeaderElectionTimings({ leaseDurationMs: 15000, renewDeadlineMs: 2000, retryPeriodMs: 2000 }), 'renewDeadline must be greater than retryPeriod*JitterFactor');
    assert.throws(() => candidate(client, 'x', 'y', { retryPeriodMs: 0 }), /retryPeriod must be greater than zero|renewDeadline must be greater/);
  });
});
