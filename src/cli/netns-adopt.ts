// What netns mode does with what an earlier run left (it was killed, or crashed): keep it when this
// run is the same cluster — its node agents then adopt the pods still running, in their own
// namespaces with their own addresses, as a restarted kubelet with a CNI plugin keeps its pods'
// sandboxes — or clear it, saying why, when it is not (see netns-layout.ts). Kept pod sandboxes
// that no pod claims once the agents have started are removed one by one, by exact name.
import { type NetnsEnv, nodeNamespace, ownNamespace, podHostVeth } from '../node/network/config.js';
import { GONE, mustRun } from '../node/network/runner.js';
import { ownLeftovers, removeEtcDir, removeNamespace, teardownAll } from '../node/network/teardown.js';
import { logger } from '../util/log.js';
import { layoutMismatch, readLayout, type NetnsLayout } from './netns-layout.js';
import { lockDir } from './netns-lock.js';

const log = logger('network');

/** The pod UID (32 hex, no dashes) a pod namespace is named after. */
function podNamespaceUID(env: NetnsEnv, ns: string): string {
  return ns.slice(`${env.prefix}-pod-`.length);
}

/** A part of the earlier run's layout this run needs and cannot find. */
function missingPiece(env: NetnsEnv, nodes: number, namespaces: string[], links: string[]): string | undefined {
  if (!links.includes(env.bridge)) return `its bridge ${env.bridge} is gone`;
  for (let n = 1; n <= nodes; n++) {
    if (!namespaces.includes(nodeNamespace(env, n))) return `its node namespace ${nodeNamespace(env, n)} is gone`;
  }
  return undefined;
}

const processCount = (removed: string[]) => removed.filter((l) => l.startsWith('process ')).length;

/**
 * Keeps the earlier run's bridge, node namespaces, host routes and pod namespaces when `want` is
 * the same cluster, or removes all of it; returns the pod namespaces kept (none when cleared).
 */
export async function keepOrClearLeftovers(env: NetnsEnv, want: NetnsLayout, dir = lockDir): Promise<string[]> {
  const { namespaces, links } = await ownLeftovers(env);
  // Nothing there (the usual start) needs no verdict: only stray resolv.conf dirs go, below.
  const anything = namespaces.length > 0 || links.length > 0;
  const reason = anything ? (layoutMismatch(readLayout(want.prefix, dir), want) ?? missingPiece(env, want.nodes, namespaces, links)) : undefined;
  if (reason !== undefined) {
    const removed = await teardownAll(env.runner, { prefix: env.prefix, linkPrefix: env.linkPrefix, bridge: env.bridge, etcNetns: env.etcNetns, files: env.files });
    const netns = removed.filter((s) => s.startsWith('netns ')).length;
    if (removed.length) {
      log.warn(
        `removed ${removed.length} leftover(s) of an earlier run (${netns} namespaces, ${processCount(removed)} pod processes ended) ` +
          `instead of adopting its pods: ${reason}`,
      );
    }
    return [];
  }
  const kept: string[] = [];
  let running = 0;
  for (const ns of namespaces) {
    const kind = ownNamespace(env, ns);
    if (kind === 'pod') {
      kept.push(ns);
      if ((await env.runner.run(['ip', 'netns', 'pids', ns])).stdout.trim() !== '') running++;
    } else if (kind === 'node' && !Array.from({ length: want.nodes }, (_, i) => nodeNamespace(env, i + 1)).includes(ns)) {
      // Not one of this cluster's nodes (made by hand, or by a run that crashed mid-start).
      await removeNamespace(env.runner, ns);
    }
  }
  // A resolv.conf dir whose pod namespace is gone belongs to nobody.
  for (const name of await env.files.list(env.etcNetns)) {
    if (ownNamespace(env, name) === 'pod' && !namespaces.includes(name)) await removeEtcDir(env, name);
  }
  if (namespaces.length) {
    log.info(
      `kept the network of an earlier run for its pods: bridge ${env.bridge}, ${want.nodes} node namespace(s), ` +
        `${kept.length} pod namespace(s) (${running} with processes still running) for the node agents to adopt`,
    );
  }
  return kept;
}

/**
 * Removes the kept pod namespaces whose pod no node agent has (deleted while kubesvc was down):
 * its processes, its veth on the node's cni0, the namespace and its /etc/netns dir.
 */
export async function removeUnclaimedPods(env: NetnsEnv, kept: string[], claimed: Set<string>, nodes: number): Promise<string[]> {
  const removed: string[] = [];
  for (const ns of kept) {
    const uid = podNamespaceUID(env, ns);
    if (claimed.has(uid)) continue;
    // The veth would go with the namespace once its last process is reaped; not later, by name.
    for (let n = 1; n <= nodes; n++) {
      await mustRun(env.runner, ['ip', 'link', 'del', podHostVeth(uid)], { netns: nodeNamespace(env, n), tolerate: GONE });
    }
    removed.push(...(await removeNamespace(env.runner, ns)), await removeEtcDir(env, ns));
  }
  if (removed.length) {
    log.info(`removed ${removed.filter((s) => s.startsWith('netns ')).length} pod namespace(s) of pods gone while kubesvc was down (${processCount(removed)} processes ended)`);
  }
  return removed;
}
