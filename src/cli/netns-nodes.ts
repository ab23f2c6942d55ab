// netns mode's machine-level setup for `kubesvc up --network netns --nodes N`: the host bridge,
// one network namespace per node, the host's routes into them, and the clean stop that removes
// all of it again. The per-node agents and proxies are started by components.ts on top.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import {
  conflictingRoutes,
  connectNodes,
  createNode,
  defaultRunner,
  ensureHostBridge,
  ensureHostRoutes,
  hostIP,
  hostRoutes,
  netnsEnv,
  poolCIDRs,
  teardownAll,
  type NetnsEnv,
  type NodeNet,
} from '../node/network/index.js';
import { logger } from '../util/log.js';
import { UsageError } from './flags.js';
import { keepOrClearLeftovers, removeUnclaimedPods } from './netns-adopt.js';
import { removeLayout, writeLayout, type NetnsLayout } from './netns-layout.js';
import { NetnsBusyError, netnsID, takeNetnsLocks } from './netns-lock.js';

const log = logger('network');

export interface NetnsClusterOptions {
  /** Namespace prefix: `<prefix>-node-<n>`, `<prefix>-pod-<uid>`. */
  prefix: string;
  nodes: number;
  podCIDR: string;
  serviceCIDR: string;
  lbPool: string;
  /** Where the node agents keep their pods' state: an earlier run's pods are adopted only from the same one. */
  dataDir: string;
}

export interface NetnsCluster {
  env: NetnsEnv;
  nodes: NodeNet[];
  /** The host's address on the bridge: where cluster DNS and the API server answer nodes and pods. */
  hostIP: string;
  /**
   * Once the node agents have started (and adopted what they could): removes the kept pod
   * namespaces whose pod UID (32 hex, no dashes) is not in `claimed`.
   */
  removeUnclaimedPods(claimed: Set<string>): Promise<void>;
  /** Removes every namespace, link, route and /etc/netns dir of this prefix. */
  teardown(): Promise<void>;
}

/** Stops early, with what to do, when this machine cannot run netns mode. */
export function checkNetnsSupport(): void {
  if (process.platform !== 'linux') throw new UsageError('--network netns needs Linux (network namespaces); use --network loopback');
  if (process.getuid?.() !== 0) {
    throw new UsageError('--network netns creates network namespaces and needs root: run it with sudo, or use --network loopback (no privileges)');
  }
  const ip = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (ip.status !== 0) throw new UsageError('--network netns needs iproute2 (`ip netns`): apt-get install iproute2');
}

export async function setUpNetnsCluster(o: NetnsClusterOptions): Promise<NetnsCluster> {
  let unlock: () => void;
  try {
    unlock = takeNetnsLocks(o.prefix);
  } catch (e) {
    if (e instanceof NetnsBusyError) throw new UsageError(e.message);
    throw e;
  }
  const env = netnsEnv({ prefix: o.prefix, podCIDR: o.podCIDR, serviceCIDR: o.serviceCIDR });
  const layout: NetnsLayout = {
    prefix: o.prefix,
    dataDir: resolve(o.dataDir),
    nodes: o.nodes,
    podCIDR: o.podCIDR,
    serviceCIDR: o.serviceCIDR,
    lbPool: o.lbPool,
    netns: netnsID(),
  };
  let kept: string[] = [];
  try {
    // Nothing is changed on a machine whose own routes already use one of our ranges.
    const conflicts = await conflictingRoutes(env, [`${env.nodeNet}.0/24`, o.podCIDR, o.serviceCIDR, ...poolCIDRs(o.lbPool)]);
    if (conflicts.length) {
      const c = conflicts[0]!;
      throw new UsageError(
        `${c.range} overlaps this machine's route "${c.route}": netns mode routes its node, pod, service and LoadBalancer ranges ` +
          'through kubesvc0 and will not take over yours; pick other ranges (--pod-cidr, --service-cidr, --lb-pool)' +
          (c.range.startsWith(env.nodeNet) ? ', or free 172.30.0.0/24' : ''),
      );
    }
    // What an earlier run left behind (it crashed, or was killed) stays when it is this same
    // cluster, for its node agents to adopt the pods still running; otherwise it goes first, as
    // stale namespaces would hold on to old addresses. Recorded before anything is built, so a
    // crash part-way through start-up is recognised as this cluster's too.
    kept = await keepOrClearLeftovers(env, layout);
    writeLayout(layout);
  } catch (e) {
    unlock();
    throw e;
  }
  const teardown = async () => {
    try {
      const removed = await teardownAll(defaultRunner, { prefix: o.prefix });
      log.info(`removed ${removed.filter((s) => s.startsWith('netns')).length} namespaces and ${removed.filter((s) => s.startsWith('link')).length} links`);
      // Nothing is left to adopt: the next start must not take this run's record for its own.
      removeLayout(o.prefix);
    } finally {
      unlock();
    }
  };
  try {
    const t0 = performance.now();
    await ensureHostBridge(env);
    // Side by side: each node is a few dozen short `ip`/`sysctl` runs, most of the start-up time.
    const nodes: NodeNet[] = await Promise.all(Array.from({ length: o.nodes }, (_, i) => createNode(i + 1, env)));
    await connectNodes(nodes);
    await ensureHostRoutes(env, hostRoutes(env, nodes.map((x) => x.n), { serviceCIDR: o.serviceCIDR, lbPool: o.lbPool }));
    for (const node of nodes) {
      if (!node.bridgeNfCallIptables) {
        log.warn(`${node.namespace}: net.bridge.bridge-nf-call-iptables could not be set (is br_netfilter loaded?); hairpin and same-node pod-to-Service traffic may bypass kube-proxy`);
      }
    }
    log.info(`network: bridge ${env.bridge} (${hostIP(env)}), ${nodes.length} node namespace(s) in ${Math.round(performance.now() - t0)} ms`);
    return {
      env,
      nodes,
      hostIP: hostIP(env),
      removeUnclaimedPods: async (claimed) => void (await removeUnclaimedPods(env, kept, claimed, o.nodes)),
      teardown,
    };
  } catch (e) {
    await teardown().catch((err) => log.error('cleaning up after a failed network setup', err));
    throw e;
  }
}
