// `kubesvc up`'s kube-controller-manager flags: leader election and node monitoring, upstream
// names, Go durations, upstream 1.32 defaults, and NewLeaderElector's checks before anything starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUpOptions, type UpOptions } from '../../src/cli/up.js';

const parse = (argv: string[]) => (parseUpOptions(argv) as UpOptions).controlPlane!;

test('defaults are upstream 1.32\'s: leader election on, 15s/10s/2s, node grace 50s, monitor period 5s, eviction 0.1/0.01/50/0.55, tolerations 300s, signing 8760h', () => {
  assert.deepEqual(parse([]), {
    leaderElection: { leaderElect: true, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
    nodeLifecycle: { gracePeriodMs: 50_000, monitorPeriodMs: 5_000, evictionRate: 0.1, secondaryEvictionRate: 0.01, largeClusterSizeThreshold: 50, unhealthyZoneThreshold: 0.55 },
    defaultTolerationSeconds: { notReadySeconds: 300, unreachableSeconds: 300 },
    clusterSigningDurationMs: 8760 * 3600_000,
  });
});

test('flags take Go durations and ParseBool values', () => {
  const v = parse([
    '--leader-elect=false',
    '--leader-elect-lease-duration=1m',
    '--leader-elect-renew-deadline',
    '30s',
    '--leader-elect-retry-period=500ms',
    '--node-monitor-grace-period=2s',
    '--node-monitor-period=250ms',
    '--node-eviction-rate=1',
    '--secondary-node-eviction-rate=0',
    '--large-cluster-size-threshold=10',
    '--unhealthy-zone-threshold=.4',
    '--default-not-ready-toleration-seconds=60',
    '--default-unreachable-toleration-seconds',
    '5',
    '--cluster-signing-duration=1h30m',
  ]);
  assert.deepEqual(v, {
    leaderElection: { leaderElect: false, leaseDurationMs: 60_000, renewDeadlineMs: 30_000, retryPeriodMs: 500 },
    nodeLifecycle: { gracePeriodMs: 2_000, monitorPeriodMs: 250, evictionRate: 1, secondaryEvictionRate: 0, largeClusterSizeThreshold: 10, unhealthyZoneThreshold: 0.4 },
    defaultTolerationSeconds: { notReadySeconds: 60, unreachableSeconds: 5 },
    clusterSigningDurationMs: 5_400_000,
  });
});

test('bad values are refused with pflag\'s and the elector\'s messages', () => {
  assert.throws(() => parse(['--leader-elect-lease-duration=15']), { message: 'invalid argument "15" for "--leader-elect-lease-duration" flag: time: missing unit in duration "15"' });
  assert.throws(() => parse(['--node-monitor-grace-period=soon']), { message: 'invalid argument "soon" for "--node-monitor-grace-period" flag: time: invalid duration "soon"' });
  assert.throws(() => parse(['--leader-elect-renew-deadline=20s']), { message: '--leader-elect-*: leaseDuration must be greater than renewDeadline' });
  assert.throws(() => parse(['--leader-elect-retry-period=9s']), { message: '--leader-elect-*: renewDeadline must be greater than retryPeriod*JitterFactor' });
  assert.throws(() => parse(['--default-unreachable-toleration-seconds=5m']), { message: 'invalid argument "5m" for "--default-unreachable-toleration-seconds" flag: strconv.ParseInt: parsing "5m": invalid syntax' });
  assert.throws(() => parse(['--node-eviction-rate=fast']), { message: 'invalid argument "fast" for "--node-eviction-rate" flag: strconv.ParseFloat: parsing "fast": invalid syntax' });
  assert.throws(() => parse(['--leader-elect=maybe']), { message: 'invalid argument "maybe" for "--leader-elect" flag: strconv.ParseBool: parsing "maybe": invalid syntax' });
  // Without leader election the timings are not used, so they are not checked against each other.
  assert.equal(parse(['--leader-elect=false', '--leader-elect-renew-deadline=20s']).leaderElection.leaderElect, false);
});
