// The behaviour every storage backend owes the apiserver, written once and run against each
// backend (as kine runs one suite against every driver). Each test gets a fresh, empty store.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompactedError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
  type Backend,
  type WatchEvent,
} from '../../src/storage/backend.js';

export interface SuiteStore {
  /** A backend on an empty store, not started yet. */
  backend: Backend;
  /** A new backend on the same data (not started yet); the suite closes the old one first. */
  reopen?: () => Promise<Backend>;
}

/** Events gathered from one watch, with a way to wait until enough have arrived. */
class Recorder {
  readonly events: WatchEvent[] = [];
  readonly batches: number[] = [];
  error: Error | undefined;
  private waiters: Array<() => void> = [];

  onEvents = (events: WatchEvent[]): void => {
    this.batches.push(events.length);
    this.events.push(...events);
    this.wake();
  };

  onError = (err: Error): void => {
    this.error = err;
    this.wake();
  };

  async until(done: (r: Recorder) => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this)) {
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`timed out waiting for ${what}; got ${this.events.length} events, error ${this.error}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  revisions(): number[] {
    return this.events.map((e) => e.revision);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

export function runBackendSuite(name: string, factory: () => Promise<SuiteStore>): void {
  describe(`storage backend: ${name}`, () => {
    let store: SuiteStore;
    let db: Backend;
    const open: Backend[] = [];

    const fresh = async () => {
      store = await factory();
      db = store.backend;
      await db.start();
      open.push(db);
    };

    after(async () => {
      for (const b of open) await b.close();
    });

    describe('create and get', () => {
      before(fresh);

      it('starts empty (etcd starts at revision 1, SQLite at 0)', async () => {
        const rev = await db.currentRevision();
        assert.ok(rev === 0 || rev === 1, `revision ${rev}`);
        assert.deepEqual((await db.get('/registry/services/default/a')).kv, undefined);
        assert.deepEqual(await db.range('/registry/'), { kvs: [], revision: rev, more: false, count: 0 });
      });

      it('create returns the key at a new revision and get reads it back', async () => {
        const kv = await db.create('/registry/services/default/a', '{"a":1}');
        assert.deepEqual(kv, {
          key: '/registry/services/default/a',
          value: '{"a":1}',
          createRevision: kv.modRevision,
          modRevision: kv.modRevision,
        });
        assert.ok(kv.modRevision > 0);
        assert.equal(await db.currentRevision(), kv.modRevision);
        assert.deepEqual(await db.get('/registry/services/default/a'), { kv, revision: kv.modRevision });
      });

      it('create of an existing key fails with KeyExistsError and writes nothing', async () => {
        const before = await db.currentRevision();
        await assert.rejects(db.create('/registry/services/default/a', '{"a":2}'), (err: unknown) => {
          assert.ok(err instanceof KeyExistsError);
          assert.equal(err.key, '/registry/services/default/a');
          return true;
        });
        assert.equal(await db.currentRevision(), before);
        assert.equal((await db.get('/registry/services/default/a')).kv?.value, '{"a":1}');
      });

      it('concurrent creates of one key: exactly one wins, the others get KeyExistsError', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) => db.create('/registry/services/default/race', `{"i":${i}}`)),
        );
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof KeyExistsError);
      });
    });

    describe('update', () => {
      before(fresh);

      it('succeeds with the current revision, keeping createRevision', async () => {
        const created = await db.create('/registry/pods/default/p', 'v1');
        const updated = await db.update('/registry/pods/default/p', 'v2', created.modRevision);
        assert.equal(updated.value, 'v2');
        assert.equal(updated.createRevision, created.modRevision);
        assert.ok(updated.modRevision > created.modRevision);
        assert.deepEqual((await db.get('/registry/pods/default/p')).kv, updated);
      });

      it('fails with RevisionMismatchError carrying the current value on a stale revision', async () => {
        const current = (await db.get('/registry/pods/default/p')).kv!;
        await assert.rejects(db.update('/registry/pods/default/p', 'v3', current.createRevision), (err: unknown) => {
          assert.ok(err instanceof RevisionMismatchError);
          assert.deepEqual(err.current, current);
          return true;
        });
        assert.equal((await db.get('/registry/pods/default/p')).kv?.value, 'v2');
      });

      it('fails with KeyNotFoundError for an absent key', async () => {
        await assert.rejects(db.update('/registry/pods/default/none', 'x', 1), KeyNotFoundError);
      });

      it('two updates from the same revision: one wins, the other sees a mismatch with the winner', async () => {
        const current = (await db.get('/registry/pods/default/p')).kv!;
        const results = await Promise.allSettled([
          db.update('/registry/pods/default/p', 'a', current.modRevision),
          db.update('/registry/pods/default/p', 'b', current.modRevision),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        assert.equal(won.length, 1);
        assert.equal(lost.length, 1);
        assert.ok(lost[0]!.reason instanceof RevisionMismatchError);
        assert.deepEqual(lost[0]!.reason.current, won[0]!.value);
        assert.deepEqual((await db.get('/registry/pods/default/p')).kv, won[0]!.value);
      });
    });

    describe('delete', () => {
      before(fresh);

      it('conditional delete with a stale revision fails and keeps the key', async () => {
        const v1 = await db.create('/registry/cm/default/c', 'v1');
        const v2 = await db.update('/registry/cm/default/c', 'v2', v1.modRevision);
        await assert.rejects(db.delete('/registry/cm/default/c', v1.modRevision), (err: unknown) => {
          assert.ok(err instanceof RevisionMismatchError);
          assert.deepEqual(err.current, v2);
          return true;
        });
        assert.deepEqual((await db.get('/registry/cm/default/c')).kv, v2);
      });

      it('conditional delete with the current revision removes the key at a new revision', async () => {
        const v2 = (await db.get('/registry/cm/default/c')).kv!;
        const res = await db.delete('/registry/cm/default/c', v2.modRevision);
        assert.deepEqual(res.prevKv, v2);
        assert.ok(res.revision > v2.modRevision);
        assert.equal(await db.currentRevision(), res.revision);
        assert.equal((await db.get('/registry/cm/default/c')).kv, undefined);
      });

      it('unconditional delete removes whatever is there; absent keys give KeyNotFoundError', async () => {
        const kv = await db.create('/registry/cm/default/d', 'x');
        const res = await db.delete('/registry/cm/default/d');
        assert.deepEqual(res.prevKv, kv);
        await assert.rejects(db.delete('/registry/cm/default/d'), KeyNotFoundError);
        await assert.rejects(db.delete('/registry/cm/default/never', 5), KeyNotFoundError);
      });

      it('a re-created key starts a new life with a new createRevision', async () => {
        const again = await db.create('/registry/cm/default/c', 'v3');
        assert.equal(again.createRevision, again.modRevision);
        assert.equal((await db.range('/registry/cm/')).count, 1);
      });
    });

    describe('revisions', () => {
      before(fresh);

      it('every write, on any key, gets a strictly larger revision', async () => {
        const revs: number[] = [];
        for (let i = 0; i < 5; i++) revs.push((await db.create(`/registry/a/k${i}`, 'x')).modRevision);
        revs.push((await db.update('/registry/a/k0', 'y', revs[0]!)).modRevision);
        revs.push((await db.delete('/registry/a/k1')).revision);
        revs.push((await db.create('/registry/b/k0', 'x')).modRevision);
        for (let i = 1; i < revs.length; i++) assert.ok(revs[i]! > revs[i - 1]!, `revisions ${revs.join(',')}`);
        assert.equal(await db.currentRevision(), revs[revs.length - 1]);
      });

      it('failed writes do not consume a revision', async () => {
        const before = await db.currentRevision();
        await assert.rejects(db.create('/registry/a/k0', 'z'));
        await assert.rejects(db.update('/registry/a/k0', 'z', 1));
        assert.equal(await db.currentRevision(), before);
        const next = await db.create('/registry/a/new', 'x');
        assert.ok(next.modRevision > before);
      });

      it('reading past the newest revision fails with FutureRevisionError', async () => {
        const now = await db.currentRevision();
        await assert.rejects(db.range('/registry/', { revision: now + 10 }), FutureRevisionError);
        await assert.rejects(db.get('/registry/a/k0', now + 10), FutureRevisionError);
      });
    });

    describe('range', () => {
      const prefix = '/registry/services/specs/';
      let created: number[] = [];
      before(async () => {
        await fresh();
        created = [];
        for (const ns of ['a', 'b', 'c', 'd', 'e']) created.push((await db.create(`${prefix}${ns}/svc`, ns)).modRevision);
        await db.create('/registry/services/endpoints/a/svc', 'other');
        await db.create('/registry/servicesx/a/svc', 'lookalike');
      });

      it('lists every key under the prefix in key order, with the count and the read revision', async () => {
        const res = await db.range(prefix);
        assert.deepEqual(
          res.kvs.map((kv) => kv.key),
          ['a', 'b', 'c', 'd', 'e'].map((ns) => `${prefix}${ns}/svc`),
        );
        assert.equal(res.count, 5);
        assert.equal(res.more, false);
        assert.equal(res.revision, await db.currentRevision());
      });

      it('pages with limit and startKey, reporting more and the full count', async () => {
        const first = await db.range(prefix, { limit: 2 });
        assert.deepEqual(first.kvs.map((kv) => kv.value), ['a', 'b']);
        assert.equal(first.more, true);
        assert.equal(first.count, 5);
        const second = await db.range(prefix, { limit: 2, startKey: `${prefix}c/svc`, revision: first.revision });
        assert.deepEqual(second.kvs.map((kv) => kv.value), ['c', 'd']);
        assert.equal(second.more, true);
        assert.equal(second.count, 5);
        const last = await db.range(prefix, { limit: 2, startKey: `${prefix}e/svc`, revision: first.revision });
        assert.deepEqual(last.kvs.map((kv) => kv.value), ['e']);
        assert.equal(last.more, false);
        const exact = await db.range(prefix, { limit: 5 });
        assert.equal(exact.kvs.length, 5);
        assert.equal(exact.more, false);
      });

      it('the empty prefix covers every key', async () => {
        assert.equal((await db.range('')).count, 7);
      });

      it('reads an older revision as it was, before later updates, deletes and creates', async () => {
        const old = await db.currentRevision();
        const b = (await db.get(`${prefix}b/svc`)).kv!;
        await db.update(`${prefix}b/svc`, 'b2', b.modRevision);
        await db.delete(`${prefix}c/svc`);
        await db.create(`${prefix}f/svc`, 'f');
        const now = await db.range(prefix);
        assert.deepEqual(now.kvs.map((kv) => kv.value), ['a', 'b2', 'd', 'e', 'f']);
        const then = await db.range(prefix, { revision: old });
        assert.equal(then.revision, old);
        assert.deepEqual(then.kvs.map((kv) => kv.value), ['a', 'b', 'c', 'd', 'e']);
        assert.deepEqual(then.kvs[1], b);
        assert.equal(then.count, 5);
        const paged = await db.range(prefix, { revision: old, limit: 2, startKey: `${prefix}b/svc` });
        assert.deepEqual(paged.kvs.map((kv) => kv.value), ['b', 'c']);
        assert.equal(paged.more, true);
        assert.equal(paged.count, 5);
        const early = await db.range(prefix, { revision: created[1] });
        assert.deepEqual(early.kvs.map((kv) => kv.value), ['a', 'b']);
        assert.equal((await db.get(`${prefix}c/svc`, old)).kv?.value, 'c');
        assert.equal((await db.get(`${prefix}c/svc`)).kv, undefined);
      });
    });

    describe('prefix isolation', () => {
      before(fresh);

      it("'/registry/services/' never includes '/registry/servicesx/' or '/registry/services' itself", async () => {
        const rec = new Recorder();
        const w = db.watch('/registry/services/', { onEvents: rec.onEvents, onError: rec.onError });
        await db.create('/registry/servicesx/default/a', 'x');
        await db.create('/registry/services', 'bare');
        await db.create('/registry/services0', 'zero');
        const mine = await db.create('/registry/services/default/a', 'mine');
        await db.create('/registry/services/default/b', 'mine too');
        const res = await db.range('/registry/services/');
        assert.deepEqual(res.kvs.map((kv) => kv.key), ['/registry/services/default/a', '/registry/services/default/b']);
        assert.equal(res.count, 2);
        await rec.until((r) => r.events.length >= 2, 'two events');
        await settle();
        assert.deepEqual(rec.events.map((e) => e.kv.key), ['/registry/services/default/a', '/registry/services/default/b']);
        assert.equal(rec.events[0]!.revision, mine.modRevision);
        w.cancel();
        assert.equal((await db.range('/registry/servicesx/')).count, 1);
      });
    });

    describe('watch', () => {
      before(fresh);

      it('delivers live puts and deletes in revision order, with prevKv', async () => {
        const rec = new Recorder();
        const w = db.watch('/registry/pods/', { onEvents: rec.onEvents, onError: rec.onError });
        const c = await db.create('/registry/pods/ns/p', 'v1');
        const u = await db.update('/registry/pods/ns/p', 'v2', c.modRevision);
        const d = await db.delete('/registry/pods/ns/p');
        await rec.until((r) => r.events.length >= 3, 'three events');
        assert.deepEqual(rec.events[0], { type: 'put', kv: c, revision: c.modRevision });
        assert.deepEqual(rec.events[1], { type: 'put', kv: u, prevKv: c, revision: u.modRevision });
        const del = rec.events[2]!;
        assert.equal(del.type, 'delete');
        assert.equal(del.revision, d.revision);
        assert.equal(del.kv.key, '/registry/pods/ns/p');
        assert.equal(del.kv.modRevision, d.revision);
        assert.deepEqual(del.prevKv, u);
        assert.equal(rec.error, undefined);
        w.cancel();
      });

      it('the empty prefix watches every key, so a watcher\'s revision follows every write', async () => {
        const rec = new Recorder();
        const w = db.watch('', { onEvents: rec.onEvents, onError: rec.onError });
        const a = await db.create('/registry/pods/ns/everything', 'v1');
        const b = await db.create('/elsewhere/key', 'v1');
        await rec.until((r) => r.events.length >= 2, 'two events');
        assert.deepEqual(rec.events.map((e) => [e.kv.key, e.revision]), [['/registry/pods/ns/everything', a.modRevision], ['/elsewhere/key', b.modRevision]]);
        assert.equal(rec.error, undefined);
        w.cancel();
      });

      it('delivers nothing after cancel', async () => {
        const rec = new Recorder();
        const w = db.watch('/registry/pods/', { onEvents: rec.onEvents });
        w.cancel();
        await db.create('/registry/pods/ns/after-cancel', 'x');
        await settle();
        assert.equal(rec.events.length, 0);
      });

      it('delivers the events of many concurrent writes, each once, in revision order', async () => {
        const rec = new Recorder();
        const w = db.watch('/registry/batch/', { onEvents: rec.onEvents });
        const written = await Promise.all(Array.from({ length: 50 }, (_, i) => db.create(`/registry/batch/k${i}`, 'x')));
        await rec.until((r) => r.events.length >= 50, '50 events');
        await settle();
        assert.deepEqual(rec.revisions(), written.map((kv) => kv.modRevision).sort((a, b) => a - b));
        w.cancel();
      });

      it('from a past revision: replays history, then goes live, with no gap or duplicate', async () => {
        const key = (i: number) => `/registry/replay/k${i % 7}`;
        const start = await db.currentRevision();
        const revs: number[] = [];
        for (let i = 0; i < 30; i++) {
          const k = key(i);
          const cur = (await db.get(k)).kv;
          revs.push(cur ? (await db.update(k, `v${i}`, cur.modRevision)).modRevision : (await db.create(k, `v${i}`)).modRevision);
        }
        // Noise outside the prefix must not appear or leave holes that look like gaps.
        await db.create('/registry/other/x', 'noise');
        const from = revs[9]!;
        const rec = new Recorder();
        const w = db.watch('/registry/replay/', { afterRevision: from, onEvents: rec.onEvents, onError: rec.onError });
        // Writes racing with the replay.
        const live: Promise<number>[] = [];
        for (let i = 30; i < 60; i++) live.push(db.create(`/registry/replay/live${i}`, 'x').then((kv) => kv.modRevision));
        revs.push(...(await Promise.all(live)));
        // Concurrent writes may be given revisions in any order; the watch sees them sorted.
        const want = revs.filter((r) => r > from).sort((a, b) => a - b);
        await rec.until((r) => r.events.length >= want.length, `${want.length} events`);
        await settle();
        assert.deepEqual(rec.revisions(), want);
        assert.ok(start < from);
        // Replayed updates carry the value they replaced.
        const e = rec.events.find((ev) => ev.kv.key === key(14))!;
        assert.equal(e.kv.value, 'v14');
        assert.equal(e.prevKv?.value, 'v7');
        assert.equal(rec.error, undefined);
        w.cancel();
      });

      it('replays a long history (thousands of events) in order while new writes keep coming', async () => {
        const start = await db.currentRevision();
        const revs: number[] = [];
        for (let chunk = 0; chunk < 3; chunk++) {
          const kvs = await Promise.all(
            Array.from({ length: 500 }, (_, i) => db.create(`/registry/long/c${chunk}-${i}`, 'x')),
          );
          revs.push(...kvs.map((kv) => kv.modRevision));
        }
        const rec = new Recorder();
        const w = db.watch('/registry/long/', { afterRevision: start, onEvents: rec.onEvents, onError: rec.onError });
        const live = await Promise.all(Array.from({ length: 100 }, (_, i) => db.create(`/registry/long/live-${i}`, 'y')));
        revs.push(...live.map((kv) => kv.modRevision));
        await rec.until((r) => r.events.length >= revs.length, `${revs.length} events`, 20_000);
        await settle();
        assert.deepEqual(rec.revisions(), revs.sort((a, b) => a - b));
        assert.equal(rec.error, undefined);
        w.cancel();
      });

      it('from revision 0: the whole history under the prefix', async () => {
        const written: number[] = [];
        let kv = await db.create('/registry/zero/a', '1');
        written.push(kv.modRevision);
        kv = await db.update('/registry/zero/a', '2', kv.modRevision);
        written.push(kv.modRevision);
        written.push((await db.delete('/registry/zero/a')).revision);
        const rec = new Recorder();
        const w = db.watch('/registry/zero/', { afterRevision: 0, onEvents: rec.onEvents, onError: rec.onError });
        await rec.until((r) => r.events.length >= 3, 'three events');
        await settle();
        assert.deepEqual(rec.revisions(), written);
        assert.deepEqual(rec.events.map((e) => e.type), ['put', 'put', 'delete']);
        w.cancel();
      });

      it('from the current revision: only what comes next', async () => {
        const now = await db.currentRevision();
        const rec = new Recorder();
        const w = db.watch('/registry/', { afterRevision: now, onEvents: rec.onEvents });
        const kv = await db.create('/registry/next/one', 'x');
        await rec.until((r) => r.events.length >= 1, 'one event');
        await settle();
        assert.deepEqual(rec.revisions(), [kv.modRevision]);
        w.cancel();
      });
    });

    describe('watch handlers and closing', () => {
      before(fresh);

      it('a handler that throws ends its own watch only', async () => {
        const good = new Recorder();
        const bad = new Recorder();
        const wg = db.watch('/registry/h/', { onEvents: good.onEvents, onError: good.onError });
        db.watch('/registry/h/', {
          onEvents: () => {
            throw new Error('handler bug');
          },
          onError: bad.onError,
        });
        await settle();
        await db.create('/registry/h/a', 'x');
        await bad.until((r) => r.error !== undefined, 'the failing watch to end');
        assert.equal(bad.error?.message, 'handler bug');
        await db.create('/registry/h/b', 'y');
        await good.until((r) => r.events.length >= 2, 'both events on the healthy watch');
        assert.equal(good.error, undefined);
        wg.cancel();
      });

      it('close ends open watches with an error, and later calls fail', async () => {
        const rec = new Recorder();
        db.watch('/registry/', { onEvents: rec.onEvents, onError: rec.onError });
        await settle();
        await db.close();
        await rec.until((r) => r.error !== undefined, 'the watch to end');
        await assert.rejects(db.create('/registry/after-close', 'x'));
        await assert.rejects(db.range('/registry/'));
      });
    });

    describe('compaction', () => {
      const k = '/registry/compact/k';
      let revs: number[] = [];
      before(async () => {
        await fresh();
        revs = [];
        let kv = await db.create(k, 'v0');
        revs.push(kv.modRevision);
        for (let i = 1; i <= 5; i++) {
          kv = await db.update(k, `v${i}`, kv.modRevision);
          revs.push(kv.modRevision);
        }
        await db.create('/registry/compact/gone', 'x');
        revs.push((await db.delete('/registry/compact/gone')).revision);
        await db.create('/registry/compact/kept', 'y');
      });

      it('keeps the latest values and moves the compacted revision', async () => {
        const before = await db.range('/registry/compact/');
        await db.compact(revs[4]!);
        assert.equal(await db.compactedRevision(), revs[4]);
        assert.deepEqual(await db.range('/registry/compact/'), before);
        assert.equal((await db.get(k, revs[4])).kv?.value, 'v4');
        assert.equal((await db.get(k, revs[5])).kv?.value, 'v5');
      });

      it('reads below the compacted revision fail with CompactedError', async () => {
        await assert.rejects(db.get(k, revs[3]), (err: unknown) => {
          assert.ok(err instanceof CompactedError);
          assert.equal(err.compacted, revs[4]);
          return true;
        });
        await assert.rejects(db.range('/registry/compact/', { revision: revs[0] }), CompactedError);
      });

      it('a watch from below the compacted revision ends with CompactedError', async () => {
        const rec = new Recorder();
        db.watch('/registry/compact/', { afterRevision: revs[2], onEvents: rec.onEvents, onError: rec.onError });
        await rec.until((r) => r.error !== undefined, 'an error');
        assert.ok(rec.error instanceof CompactedError);
        assert.equal(rec.events.length, 0);
      });

      it('a watch from the compacted revision still replays everything after it', async () => {
        const rec = new Recorder();
        const w = db.watch('/registry/compact/', { afterRevision: revs[4], onEvents: rec.onEvents, onError: rec.onError });
        const now = await db.currentRevision();
        await rec.until((r) => r.revisions().includes(now), 'the newest event');
        assert.deepEqual(rec.events[0]!.revision, revs[5]);
        assert.equal(rec.events[0]!.prevKv?.value, 'v4');
        assert.equal(rec.error, undefined);
        w.cancel();
      });

      it('compacting everything leaves the current state readable and tombstones gone', async () => {
        const now = await db.currentRevision();
        await db.compact(now);
        assert.equal(await db.compactedRevision(), now);
        const res = await db.range('/registry/compact/', { revision: now });
        assert.deepEqual(res.kvs.map((kv) => [kv.key, kv.value]), [
          ['/registry/compact/k', 'v5'],
          ['/registry/compact/kept', 'y'],
        ]);
        assert.equal((await db.get('/registry/compact/gone', now)).kv, undefined);
        // Compaction does not write: the revision stays, and the next write continues from it.
        assert.equal(await db.currentRevision(), now);
        const next = await db.create('/registry/compact/gone', 'again');
        assert.equal(next.modRevision, now + 1);
        // Asking again for an older point is a no-op; a future one is refused.
        await db.compact(revs[1]!);
        assert.equal(await db.compactedRevision(), now);
        await assert.rejects(db.compact(now + 100), FutureRevisionError);
      });
    });

    describe('many concurrent writers', () => {
      before(fresh);

      it('1,000 concurrent creates all succeed with distinct revisions', async () => {
        const results = await Promise.all(
          Array.from({ length: 1000 }, (_, i) => db.create(`/registry/many/k${String(i).padStart(4, '0')}`, `{"i":${i}}`)),
        );
        const revs = new Set(results.map((kv) => kv.modRevision));
        assert.equal(revs.size, 1000);
        assert.equal(await db.currentRevision(), Math.max(...revs));
        const res = await db.range('/registry/many/');
        assert.equal(res.count, 1000);
        assert.deepEqual(res.kvs, [...results].sort((a, b) => (a.key < b.key ? -1 : 1)));
      });

      it('one range can return more than 4 MB', async () => {
        const big = 'x'.repeat(600 * 1024);
        await Promise.all(Array.from({ length: 10 }, (_, i) => db.create(`/registry/big/k${i}`, big)));
        const res = await db.range('/registry/big/');
        assert.equal(res.count, 10);
        assert.ok(res.kvs.every((kv) => kv.value === big));
      });

      it('a conflict in a group of writes fails only that write', async () => {
        const writes = Array.from({ length: 20 }, (_, i) =>
          i === 10 ? db.create('/registry/many/k0000', 'dup') : db.create(`/registry/many/g${i}`, 'x'),
        );
        const results = await Promise.allSettled(writes);
        results.forEach((r, i) => assert.equal(r.status, i === 10 ? 'rejected' : 'fulfilled', `write ${i}`));
      });
    });

    describe('durability', () => {
      before(fresh);

      it('close and reopen finds every key with the same revisions', async (t) => {
        if (!store.reopen) return t.skip('this backend keeps no data across instances');
        const written = await Promise.all(Array.from({ length: 100 }, (_, i) => db.create(`/registry/dur/k${i}`, `v${i}`)));
        const first = written[0]!;
        await db.update(first.key, 'changed', first.modRevision);
        await db.delete(written[1]!.key);
        await db.compact(first.modRevision);
        const before = await db.range('/registry/dur/');
        const rev = await db.currentRevision();
        await db.close();
        db = await store.reopen();
        await db.start();
        open.push(db);
        assert.equal(await db.currentRevision(), rev);
        assert.equal(await db.compactedRevision(), first.modRevision);
        assert.deepEqual(await db.range('/registry/dur/'), before);
        const next = await db.create('/registry/dur/after', 'x');
        assert.equal(next.modRevision, rev + 1);
      });
    });
  });
}
