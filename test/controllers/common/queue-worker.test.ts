import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitedQueue } from '../../../src/client/workqueue.js';
import { maxRetries, QueueWorker } from '../../../src/controllers/common/queue-worker.js';
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
  const worker = new (class extends QueueWorker {
    async sync(key: string): Promise<void> {
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      if (n === 1 && key === 'ns/stale') throw new StaleInformerCacheError('EndpointSlice informer cache is out of date');
      if (n === 1 && key === 'ns/broken') throw new Error('boom');
    }
  })('test', { queue, log });
  worker.run(1);
  queue.add('ns/stale');
  queue.add('ns/broken');
  const deadline = Date.now() + 2000;
  while ((attempts.get('ns/stale') ?? 0) < 2 || (attempts.get('ns/broken') ?? 0) < 2) {
    assert.ok(Date.now() < deadline, `both keys retried: ${JSON.stringify([...attempts])}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  worker.stop();
  assert.deepEqual(log.lines, [
    'debug sync ns/stale failed, retrying: EndpointSlice informer cache is out of date',
    'warn sync ns/broken failed, retrying: boom',
  ]);
});

test('a controller that gives up drops a key after maxRetries failures and waits for its next event', async () => {
  const queue = new RateLimitedQueue<string>({ baseDelayMs: 1, maxDelayMs: 1 });
  const log = recordingLog();
  let attempts = 0;
  const worker = new (class extends QueueWorker {
    async sync(): Promise<void> {
      attempts++;
      throw new Error('still broken');
    }
  })('test', { queue, log, giveUp: true });
  worker.run(2);
  queue.add('ns/svc');
  const deadline = Date.now() + 2000;
  while (!log.lines.some((l) => l.startsWith('warn dropping'))) {
    assert.ok(Date.now() < deadline, `key dropped after ${attempts} attempts`);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(attempts, maxRetries + 1);
  assert.equal(log.lines.at(-1), `warn dropping ns/svc after ${maxRetries} retries: still broken`);
  worker.stop();
});
