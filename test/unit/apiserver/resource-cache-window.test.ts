// The watch cache's window of events, bounded as upstream's cacher bounds it: the last 100 events
// always, older ones only while younger than 75 s, never more than the capacity. A watch from a
// resourceVersion the window no longer reaches gets undefined (the server answers 410 Gone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CachedObject, type CacheEvent } from '../../../src/apiserver/store/cached-object.js';
import { ResourceCache, eventFreshMs, minWindow } from '../../../src/apiserver/store/resource-cache.js';

const prefix = '/registry/services/specs/';
let rev = 0;

function added(name: string): CacheEvent {
  rev++;
  const key = `${prefix}default/${name}`;
  return { type: 'ADDED', object: new CachedObject(key, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', resourceVersion: String(rev) } }, rev), revision: rev };
}

function deleted(ev: CacheEvent): CacheEvent {
  rev++;
  return { type: 'DELETED', object: ev.object.withRevision(rev), prev: ev.object, revision: rev };
}

test('a burst of churn leaves the window once 75 s have passed, down to the last 100 events; they stay resumable', () => {
  let now = 1_000_000;
  const c = new ResourceCache(prefix, 50_000, () => now);
  c.load([], rev);
  const start = rev;
  for (let i = 0; i < 1_000; i++) {
    const a = added(`s${i}`);
    c.apply([a]);
    c.apply([deleted(a)]);
  }
  assert.equal(c.windowSize, 2_000);
  assert.equal(c.eventsSince(start)?.length, 2_000, 'everything resumable while fresh');
  assert.equal(c.objects.size, 0);

  now += eventFreshMs - 1;
  c.trim();
  assert.equal(c.windowSize, 2_000, 'not yet 75 s old');

  now += 2;
  c.trim();
  assert.equal(c.windowSize, minWindow);
  assert.equal(c.eventsSince(start), undefined, 'too old: the client relists');
  const last = c.eventsSince(rev - minWindow)!;
  assert.equal(last.length, minWindow);
  assert.equal(last.at(-1)!.revision, rev);
});

test('fresh events are kept beside old ones, and an event arriving trims without the timer', () => {
  let now = 5_000_000;
  const c = new ResourceCache(prefix, 50_000, () => now);
  c.load([], rev);
  for (let i = 0; i < 500; i++) c.apply([added(`old${i}`)]);
  now += eventFreshMs + 1;
  const freshFrom = rev;
  c.apply(Array.from({ length: 300 }, (_, i) => added(`new${i}`)));
  assert.equal(c.windowSize, 300, 'the 500 stale ones went, the 300 fresh ones stay (more than the floor of 100)');
  assert.equal(c.eventsSince(freshFrom)?.length, 300);
  assert.equal(c.eventsSince(freshFrom - 1), undefined);
  assert.equal(c.objects.size, 800, 'the objects themselves are the current state and stay');
});

test('the capacity still bounds a window of fresh events', () => {
  const now = 9_000_000;
  const c = new ResourceCache(prefix, 1_000, () => now);
  c.load([], rev);
  for (let i = 0; i < 2_500; i++) c.apply([added(`c${i}`)]);
  assert.equal(c.windowSize, 1_000);
  assert.equal(c.eventsSince(rev - 1_000)?.length, 1_000);
  assert.equal(c.eventsSince(rev - 1_001), undefined);
});
