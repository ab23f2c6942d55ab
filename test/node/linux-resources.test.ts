import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linuxContainerResources, milliCPUToQuota, milliCPUToShares } from '../../src/node/runtime/linux-resources.js';
import { cgroupFiles, sharesToWeight } from '../../src/node/runtime/crun/cgroups.js';

test('kubelet conversion: shares from the request (or the limit), CFS quota from the limit, memory limit in bytes', () => {
  const cases: [string, Record<string, Record<string, string>>, [number, number, number]][] = [
    ['nothing set: minimum shares, no quota, no memory limit', {}, [2, 0, 0]],
    ['request 250m', { requests: { cpu: '250m' } }, [256, 0, 0]],
    ['limit only: shares from the limit', { limits: { cpu: '2', memory: '1Gi' } }, [2048, 200000, 1073741824]],
    ['tiny limit: 1 ms per period at least', { requests: { cpu: '1m' }, limits: { cpu: '5m' } }, [2, 1000, 0]],
    ['memory in decimal units', { limits: { memory: '128M' } }, [2, 0, 128000000]],
  ];
  for (const [name, resources, [shares, quota, memory]] of cases) {
    const r = linuxContainerResources({ name: 'c', resources });
    assert.deepEqual([r.cpuShares, r.cpuQuota, r.cpuPeriod, r.memoryLimitInBytes], [shares, quota, 100000, memory], name);
  }
  assert.equal(milliCPUToShares(1_000_000), 262144);
  assert.equal(milliCPUToQuota(1500, 100000), 150000);
});

test('cgroup files: v1 limit_in_bytes/cfs_quota_us/shares, v2 memory.max/cpu.max/cpu.weight', () => {
  const r = linuxContainerResources({ name: 'c', resources: { requests: { cpu: '100m' }, limits: { cpu: '500m', memory: '64Mi' } } });
  assert.deepEqual(cgroupFiles({ version: 1 }, r), {
    cpu: { 'cpu.shares': '102', 'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '50000' },
    memory: { 'memory.limit_in_bytes': String(64 * 1024 * 1024) },
  });
  assert.deepEqual(cgroupFiles({ version: 2 }, r), { '': { 'cpu.weight': '4', 'cpu.max': '50000 100000', 'memory.max': String(64 * 1024 * 1024), 'memory.swap.max': '0' } });
  const unlimited = linuxContainerResources({ name: 'c', resources: { requests: { cpu: '1' } } });
  assert.deepEqual(cgroupFiles({ version: 2 }, unlimited), { '': { 'cpu.weight': '39', 'cpu.max': 'max 100000', 'memory.max': 'max' } });
  assert.equal(cgroupFiles({ version: 1 }, unlimited).cpu!['cpu.cfs_quota_us'], '-1');
  // runc's table: 2 → 1, 1024 → 39, 262144 → 10000.
  assert.deepEqual([sharesToWeight(2), sharesToWeight(1024), sharesToWeight(262144)], [1, 39, 10000]);
});
