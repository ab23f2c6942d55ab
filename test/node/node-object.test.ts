import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { binarySI, nodeAllocatable, nodeCapacity } from '../../src/node/node-object.js';

test('capacity as the kubelet reports it; allocatable less the default hard eviction thresholds', () => {
  const cap = nodeCapacity('/');
  assert.deepEqual(Object.keys(cap).sort(), ['cpu', 'ephemeral-storage', 'hugepages-1Gi', 'hugepages-2Mi', 'memory', 'pods']);
  assert.equal(cap.cpu, String(os.cpus().length));
  assert.equal(cap.pods, '110');
  assert.match(cap.memory!, /^\d+Ki$/);
  const alloc = nodeAllocatable({ ...cap, memory: '16336412Ki', 'ephemeral-storage': '102626232Ki' });
  // 16336412Ki − 100Mi; 10% of the filesystem kept for nodefs.available, printed in bytes when not a whole Ki.
  assert.equal(alloc.memory, `${16336412 - 102400}Ki`);
  assert.equal(alloc['ephemeral-storage'], String(102626232 * 1024 - Math.floor((102626232 * 1024) / 10)));
  assert.equal(alloc.cpu, cap.cpu);
  assert.equal(alloc.pods, '110');
  assert.deepEqual([binarySI(0n), binarySI(1000n), binarySI(2048n), binarySI(100n * 1024n * 1024n), binarySI(3n * 1024n ** 3n + 1024n)], ['0', '1000', '2Ki', '100Mi', '3145729Ki']);
});
