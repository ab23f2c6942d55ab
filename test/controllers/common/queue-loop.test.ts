import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitedQueue } from '../../../src/client/workqueue.js';
import { runQueueWorkers } from '../../../src/controllers/common/queue-loop.js';
import { StaleInformerCacheError } from '../../../src/controllers/common/stale-cache.js';
import type { Logger } from '../../../src/util/log.js';

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
  };
}

test('a stale informer cache is retried quietly; other failures are warned about and retried too', async () => {
  const queue = new RateLimitedQueue<string>();
  const log = recordingLog();
  const attempts = new Map<string, number>();
  let stopped = false;
  runQueueWorkers(1, {
    queue,
    log,
    isStopped: () => stopped,
    sync: async (key) => {
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      if (n === 1 && key === 'ns/stale') throw new StaleInformerCacheError('EndpointSlice informer cache is out of date');
      if (n === 1 && key === 'ns/broken') throw new Error('boom');
    },
  });
  queue.add('ns/stale');
  queue.add('ns/broken');
  const deadline = Date.now() + 2000;
  while ((attempts.get('ns/stale') ?? 0) < 2 || (attempts.get('ns/broken') ?? 0) < 2) {
    assert.ok(Date.now() < deadline, `both keys retried: ${JSON.stringify([...attempts])}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  stopped = true;
  queue.shutDown();
  assert.deepEqual(log.lines, [
    'debug sync ns/stale failed, retrying: EndpointSlice informer cache is out of date',
    'warn sync ns/broken failed, retrying: boom',
  ]);
});
