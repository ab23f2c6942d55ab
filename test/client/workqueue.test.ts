// The work queue's client-go semantics: dedup while queued, one worker per key, re-queue of a
// key added while processing, per-key exponential backoff, delayed adds, shutdown.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitedQueue } from '../../src/client/workqueue.js';
import { ItemExponentialRateLimiter } from '../../src/client/rate-limiter.js';
import { sleep } from './cluster.js';

describe('RateLimitedQueue', () => {
  it('dedups a key while it is queued, and keeps order', async () => {
    const q = new RateLimitedQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    q.add('a');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.length, 0);
  });

  it('a key re-added while processing is queued again after done(), once', async () => {
    const q = new RateLimitedQueue();
    q.add('k');
    const k = await q.get();
    q.add('k');
    q.add('k');
    assert.equal(q.length, 0, 'not handed to a second worker while processing');
    let second: string | undefined;
    void q.get().then((v) => (second = v));
    await sleep(5);
    assert.equal(second, undefined);
    q.done(k!);
    await sleep(0);
    assert.equal(second, 'k');
    q.done('k');
    assert.equal(q.length, 0);
  });

  it('done() without a re-add does not queue the key', async () => {
    const q = new RateLimitedQueue();
    q.add('k');
    q.done((await q.get())!);
    assert.equal(q.length, 0);
  });

  it('wakes a waiting worker on add', async () => {
    const q = new RateLimitedQueue<number>();
    const got = q.get();
    q.add(7);
    assert.equal(await got, 7);
  });

  it('addAfter delays, keeping the earliest deadline per key', async () => {
    const q = new RateLimitedQueue();
    q.addAfter('late', 10_000);
    q.addAfter('late', 20);
    q.addAfter('late', 50_000);
    assert.equal(q.length, 0);
    const t0 = Date.now();
    assert.equal(await q.get(), 'late');
    assert.ok(Date.now() - t0 >= 15);
    q.shutDown();
  });

  it('addRateLimited backs off 5 ms · 2^n per key; forget resets', async () => {
    const q = new RateLimitedQueue();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t0 = Date.now();
      q.addRateLimited('k');
      q.done((await q.get())!);
      delays.push(Date.now() - t0);
    }
    assert.equal(q.numRequeues('k'), 4);
    assert.ok(delays[3]! >= 35, `4th retry waits ~40 ms, waited ${delays[3]}`);
    q.forget('k');
    assert.equal(q.numRequeues('k'), 0);
    q.shutDown();
  });

  it('the limiter doubles from 5 ms and caps at 1000 s', () => {
    const l = new ItemExponentialRateLimiter<string>();
    assert.deepEqual([1, 2, 3, 4].map(() => l.when('x')), [5, 10, 20, 40]);
    assert.equal(l.when('y'), 5, 'per key');
    for (let i = 0; i < 100; i++) l.when('x');
    assert.equal(l.when('x'), 1_000_000);
    l.forget('x');
    assert.equal(l.when('x'), 5);
  });

  it('shutDown: waiting workers get undefined, queued keys are still handed out, adds are ignored', async () => {
    const q = new RateLimitedQueue();
    const waiting = q.get();
    q.shutDown();
    assert.equal(await waiting, undefined);

    const q2 = new RateLimitedQueue();
    q2.add('a');
    q2.addAfter('later', 10);
    q2.shutDown();
    q2.add('b');
    assert.equal(await q2.get(), 'a');
    assert.equal(await q2.get(), undefined);
    await sleep(20);
    assert.equal(q2.length, 0, 'delayed adds are dropped at shutdown');
    assert.equal(q2.isShuttingDown, true);
  });

  it('workers drain concurrently without ever sharing a key', async () => {
    const q = new RateLimitedQueue();
    const active = new Set<string>();
    let processed = 0;
    const worker = async () => {
      for (;;) {
        const k = await q.get();
        if (k === undefined) return;
        assert.ok(!active.has(k), `${k} processed twice at once`);
        active.add(k);
        await sleep(1);
        active.delete(k);
        processed++;
        q.done(k);
      }
    };
    const workers = [worker(), worker(), worker()];
    for (let i = 0; i < 50; i++) q.add(`k${i % 5}`);
    await sleep(5);
    for (let i = 0; i < 50; i++) q.add(`k${i % 5}`);
    await sleep(50);
    q.shutDown();
    await Promise.all(workers);
    assert.ok(processed >= 5 && processed <= 20, `processed ${processed}`);
  });
});
