// The flags of node failure handling and leader election that `up` (and `server`) take under their
// upstream names, with upstream 1.32's defaults: kube-controller-manager's and kube-scheduler's
// --leader-elect*, the controller manager's --node-monitor-*, and kube-apiserver's
// DefaultTolerationSeconds --default-*-toleration-seconds.
import type { LeaderElectionOptions } from '../controllers/control-plane.js';
import type { NodeLifecycleOptions } from '../controllers/nodelifecycle/controller.js';
import type { EvictionRateOptions } from '../controllers/nodelifecycle/zones.js';
import { validateLeaderElectionTimings } from '../client/leader-election.js';
import type { DefaultTolerationSeconds } from '../apiserver/registry/pod-default-tolerations.js';
import { boolFlag, durationFlag, UsageError, type FlagSpec } from './flags.js';

export const controlPlaneFlags: FlagSpec[] = [
  { name: 'leader-elect', metavar: 'BOOL', help: 'controllers and scheduler run only while holding their Lease in kube-system (one active among several servers)', default: 'true' },
  { name: 'leader-elect-lease-duration', metavar: 'DURATION', help: 'how long a standby waits after the last renewal it saw before taking the Lease', default: '15s' },
  { name: 'leader-elect-renew-deadline', metavar: 'DURATION', help: 'how long the leader keeps retrying to renew before it stops leading', default: '10s' },
  { name: 'leader-elect-retry-period', metavar: 'DURATION', help: 'how often candidates try to acquire and the leader renews', default: '2s' },
  { name: 'node-monitor-grace-period', metavar: 'DURATION', help: 'how long a node may go without a heartbeat before it is marked Unknown and its pods NotReady', default: '50s' },
  { name: 'node-monitor-period', metavar: 'DURATION', help: 'how often the node lifecycle controller checks node heartbeats', default: '5s' },
  { name: 'node-eviction-rate', metavar: 'RATE', help: 'nodes per second tainted for eviction in a healthy zone', default: '0.1' },
  { name: 'secondary-node-eviction-rate', metavar: 'RATE', help: 'nodes per second tainted for eviction in an unhealthy zone larger than --large-cluster-size-threshold (smaller ones stop)', default: '0.01' },
  { name: 'large-cluster-size-threshold', metavar: 'N', help: 'nodes a zone needs to keep evicting, at the secondary rate, when unhealthy', default: '50' },
  { name: 'unhealthy-zone-threshold', metavar: 'FRACTION', help: 'share of not-Ready nodes (more than 2) that makes a zone unhealthy', default: '0.55' },
  { name: 'default-not-ready-toleration-seconds', metavar: 'N', help: 'how long new pods stay on a NotReady node before eviction (their default toleration)', default: '300' },
  { name: 'cluster-signing-duration', metavar: 'DURATION', help: 'the longest a certificate csrsigning issues is valid (a CSR may ask for less)', default: '8760h0m0s' },
  { name: 'default-unreachable-toleration-seconds', metavar: 'N', help: 'how long new pods stay on an unreachable node before eviction (their default toleration)', default: '300' },
];

export interface ControlPlaneFlagValues {
  leaderElection: LeaderElectionOptions;
  nodeLifecycle: Pick<NodeLifecycleOptions, 'gracePeriodMs' | 'monitorPeriodMs' | keyof EvictionRateOptions>;
  defaultTolerationSeconds: DefaultTolerationSeconds;
  /** --cluster-signing-duration in ms. */
  clusterSigningDurationMs: number;
}

/** A float32 flag, with pflag's message for a bad one. */
function floatFlag(values: Map<string, string>, name: string, def: number): number {
  const text = values.get(name);
  if (text === undefined) return def;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`invalid argument ${JSON.stringify(text)} for "--${name}" flag: strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  return n;
}

/** An int64 flag, with pflag's message for a bad one. */
function intFlag(values: Map<string, string>, name: string, def: number): number {
  const text = values.get(name);
  if (text === undefined) return def;
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`invalid argument ${JSON.stringify(text)} for "--${name}" flag: strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  return Number(text);
}

export function parseControlPlaneFlags(values: Map<string, string>): ControlPlaneFlagValues {
  const leaderElection: LeaderElectionOptions = {
    leaderElect: boolFlag({ values }, 'leader-elect', true),
    leaseDurationMs: durationFlag(values, 'leader-elect-lease-duration', '15s'),
    renewDeadlineMs: durationFlag(values, 'leader-elect-renew-deadline', '10s'),
    retryPeriodMs: durationFlag(values, 'leader-elect-retry-period', '2s'),
  };
  // Upstream refuses these when it builds the elector; here before anything starts.
  const invalid = leaderElection.leaderElect ? validateLeaderElectionTimings(leaderElection) : undefined;
  if (invalid) throw new UsageError(`--leader-elect-*: ${invalid}`);
  const monitorPeriodMs = durationFlag(values, 'node-monitor-period', '5s');
  if (monitorPeriodMs <= 0) throw new UsageError('--node-monitor-period must be greater than zero');
  return {
    leaderElection,
    nodeLifecycle: {
      gracePeriodMs: durationFlag(values, 'node-monitor-grace-period', '50s'),
      monitorPeriodMs,
      evictionRate: floatFlag(values, 'node-eviction-rate', 0.1),
      secondaryEvictionRate: floatFlag(values, 'secondary-node-eviction-rate', 0.01),
      largeClusterSizeThreshold: intFlag(values, 'large-cluster-size-threshold', 50),
      unhealthyZoneThreshold: floatFlag(values, 'unhealthy-zone-threshold', 0.55),
    },
    clusterSigningDurationMs: durationFlag(values, 'cluster-signing-duration', '8760h'),
    defaultTolerationSeconds: {
      notReadySeconds: intFlag(values, 'default-not-ready-toleration-seconds', 300),
      unreachableSeconds: intFlag(values, 'default-unreachable-toleration-seconds', 300),
    },
  };
}
