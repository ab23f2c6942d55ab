// netns mode's machine-level setup for `kubesvc up --network netns --nodes N`: the host bridge,
// one network namespace per node, the host's routes into them, and the clean stop that removes
// all of it again. The per-node agents and proxies are started by components.ts on top.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import {
  connectNodes,
  createNode,
  defaultRunner,
  ensureHostBridge,
  ensureHostRoutes,
  hostIP,
  hostRoutes,
  netnsEnv,
  teardownAll,
  type NetnsEnv,
  type NodeNet,
} from '../node/network/index.js';
import { logger } from '../util/log.js';
import { UsageError } from './flags.js';
import { processAlive } from '../util/process-alive.js';

const log = logger('network');

export interface NetnsClusterOptions {
  /** Namespace prefix: `<prefix>-node-<n>`, `<prefix>-pod-<uid8>`. */
  prefix: string;
  nodes: number;
  podCIDR: string;
  serviceCIDR: string;
  lbPool: string;
}

export interface NetnsCluster {
  env: NetnsEnv;
  nodes: NodeNet[];
  /** The host's address on the bridge: where cluster DNS and the API server answer nodes and pods. */
  hostIP: string;
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

const lockDir = '/run/kubesvc';


/**
 * One netns cluster per network namespace: two would share kubesvc0 and its addresses, and the
 * second's start would tear down the first's nodes as leftovers. The lock is named after this
 * process's network namespace, so clusters in separate namespaces (as the tests run them) coexist.
 */
function takeNetnsLock(prefix: string): () => void {
  const ns = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/net'))?.[1] ?? 'default';
  const file = `${lockDir}/netns-${ns}.lock`;
  try {
    const [pidText, other] = readFileSync(file, 'utf8').trim().split(/\s+/);
    const pid = Number(pidText);
    if (pid && pid !== process.pid && processAlive(pid)) {
      throw new UsageError(
        `another kubesvc (pid ${pid}) runs --network netns here (namespaces ${other}-node-*): stop it first; ` +
          'clusters in netns mode share the kubesvc0 bridge and its addresses, so one runs at a time',
      );
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
  mkdirSync(lockDir, { recursive: true });
  writeFileSync(file, `${process.pid} ${prefix}\n`);
  return () => {
    try {
      if (readFileSync(file, 'utf8').startsWith(`${process.pid} `)) rmSync(file);
    } catch {
      /* already gone */
    }
  };
}

export async function setUpNetnsCluster(o: NetnsClusterOptions): Promise<NetnsCluster> {
  const unlock = takeNetnsLock(o.prefix);
  const env = netnsEnv({ prefix: o.prefix, podCIDR: o.podCIDR, serviceCIDR: o.serviceCIDR });
  // What an earlier run left behind (it crashed, or was killed) goes first: every pod is set up
  // again by its node agent, and stale namespaces would hold on to old addresses.
  const stale = await teardownAll(defaultRunner, { prefix: o.prefix });
  if (stale.length) log.warn(`removed ${stale.length} leftover(s) of an earlier run (${stale.filter((s) => s.startsWith('netns')).length} namespaces)`);
  const teardown = async () => {
    try {
      const removed = await teardownAll(defaultRunner, { prefix: o.prefix });
      log.info(`removed ${removed.filter((s) => s.startsWith('netns')).length} namespaces and ${removed.filter((s) => s.startsWith('link')).length} links`);
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
    return { env, nodes, hostIP: hostIP(env), teardown };
  } catch (e) {
    await teardown().catch((err) => log.error('cleaning up after a failed network setup', err));
    throw e;
  }
}
