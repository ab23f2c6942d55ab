// The node lifecycle controller (upstream's pkg/controller/nodelifecycle plus its taint-based
// eviction): every monitor period each Node's heartbeat (its Lease in kube-node-lease, and the
// Ready condition's lastHeartbeatTime) is checked; a node silent for the grace period gets Ready
// Unknown, its pods NotReady, and the unreachable taints; pods that do not tolerate the NoExecute
// taint long enough are deleted so their controllers replace them elsewhere. A node that speaks
// again loses the taints.
import type { Node, Pod } from '../../api/core.js';
import type { Client } from '../../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../../client/informer-types.js';
import { R } from '../../client/resources.js';
import { isConflict, isNotFound } from '../common/errors.js';
import { QueueWorker } from '../common/queue-worker.js';
import { noopRecorder, type Recorder } from '../common/recorder.js';
import {
  desiredHealthTaints,
  latestHeartbeat,
  markReadyAgain,
  markUnknown,
  notReadyTaintKey,
  observeLease,
  readyCondition,
  reconcileTaints,
  tolerationMs,
  unreachableTaintKey,
  type ProbeRecord,
  type Taint,
} from './health.js';
import { zoneKey, ZoneTainters, type EvictionRateOptions } from './zones.js';
import { metaTime } from '../../machinery/time.js';

export const nodeLeaseNamespace = 'kube-node-lease';
const podsByNode = 'nodeName';

export interface NodeLifecycleOptions extends EvictionRateOptions {
  /** --node-monitor-grace-period (default 50 s, as upstream 1.32). */
  gracePeriodMs?: number;
  /** --node-monitor-period (default 5 s). */
  monitorPeriodMs?: number;
  recorder?: Recorder;
  queue?: WorkQueue<string>;
  now?: () => number;
}

interface Lease {
  metadata: { name?: string; namespace?: string };
  spec?: { renewTime?: string; holderIdentity?: string };
  [k: string]: unknown;
}

export class NodeLifecycleController extends QueueWorker {
  private readonly nodes: Informer<Node>;
  private readonly leases: Informer;
  private readonly pods: Informer<Pod>;
  private readonly probes = new Map<string, ProbeRecord>();
  private readonly gracePeriodMs: number;
  private readonly monitorPeriodMs: number;
  private readonly recorder: Recorder;
  private readonly now: () => number;
  private readonly zones: ZoneTainters;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: NodeLifecycleOptions = {},
  ) {
    super('nodelifecycle', opts.queue);
    this.gracePeriodMs = opts.gracePeriodMs ?? 50_000;
    this.monitorPeriodMs = opts.monitorPeriodMs ?? 5_000;
    this.recorder = opts.recorder ?? noopRecorder;
    this.now = opts.now ?? Date.now;
    this.zones = new ZoneTainters(opts);
    this.nodes = informers.informer<Node>(R.nodes);
    this.leases = informers.informer(R.leases, { namespace: nodeLeaseNamespace });
    this.pods = informers.informer<Pod>(R.pods);
    this.pods.addIndex(podsByNode, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    // A pod Ready on a node we no longer hear from: its node's sync marks it not Ready.
    const podChanged = (p: Pod): void => {
      const nodeName = p.spec?.nodeName;
      if (!nodeName || p.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True') return;
      const n = this.nodes.lister.get(undefined, nodeName);
      if (n && readyCondition(n)?.status === 'Unknown') this.queue.add(nodeName);
    };
    this.pods.addEventHandler({ onAdd: podChanged, onUpdate: (_o, p) => podChanged(p) });
    this.nodes.addEventHandler({
      onAdd: (n) => this.queue.add(n.metadata.name ?? ''),
      onUpdate: (_o, n) => this.queue.add(n.metadata.name ?? ''),
      onDelete: (n) => this.probes.delete(n.metadata.name ?? ''),
    });
    this.leases.addEventHandler({
      onAdd: (l) => this.queue.add(l.metadata.name ?? ''),
      onUpdate: (_o, l) => this.queue.add(l.metadata.name ?? ''),
    });
  }

  override run(workers: number): void {
    super.run(workers);
    this.ticker = setInterval(() => {
      for (const n of this.nodes.lister.list()) this.queue.add(n.metadata.name ?? '');
    }, this.monitorPeriodMs);
    this.ticker.unref?.();
  }

  override stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    super.stop();
  }

  async sync(name: string): Promise<void> {
    let node = this.nodes.lister.get(undefined, name);
    if (!node) {
      this.probes.delete(name);
      return;
    }
    const now = this.now();
    const lease = this.leases.lister.get(nodeLeaseNamespace, name) as Lease | undefined;
    const heartbeat = latestHeartbeat(lease?.spec?.renewTime, readyCondition(node)?.lastHeartbeatTime);
    const { rec, stale, renewed } = observeLease(this.probes.get(name), heartbeat, now, this.gracePeriodMs);
    this.probes.set(name, rec);

    const conds = stale ? markUnknown(node, now) : renewed ? markReadyAgain(node, now) : undefined;
    if (conds) {
      node = await this.client.update<Node>(R.nodes, undefined, { ...node, status: { ...node.status, conditions: conds } }, { subresource: 'status' });
      if (stale) this.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      else this.recorder.event(node, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`);
    }
    // Not only at the transition: a write that failed, or a pod that showed up Ready later, is
    // caught on the next pass (upstream retries and checks every pod event the same way).
    if (readyCondition(node)?.status === 'Unknown') await this.markPodsNotReady(name);

    const taints = reconcileTaints(node, this.gateNoExecute(node, desiredHealthTaints(node, now), now));
    if (taints) {
      // Pinned to the version read, so a cache behind our own last write cannot undo it (the sync retries).
      node = await this.client.patch<Node>(R.nodes, undefined, name, 'merge', { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: taints.length ? taints : null } });
    }
    if (stale) this.queue.addAfter(name, this.monitorPeriodMs);
    await this.evictPods(node, now);
  }

  /**
   * Upstream adds a node's first NoExecute health taint through its zone's rate-limited tainter
   * (and swaps unreachable for not-ready freely); in master disruption mode it keeps none. The
   * zones are judged with this node's fresh status, so a lone node going silent is never tainted.
   */
  private gateNoExecute(node: Node, desired: Taint[], now: number): Taint[] {
    const name = node.metadata.name ?? '';
    const nodes = this.nodes.lister.list().map((n) => (n.metadata.name === name ? node : n));
    this.zones.update(nodes, (n) => readyCondition(n)?.status === 'True', now);
    const noExecute = desired.find((t) => t.effect === 'NoExecute');
    if (!noExecute) return desired;
    const withoutIt = desired.filter((t) => t !== noExecute);
    if (this.zones.allFullyDisrupted) return withoutIt;
    const tainted = ((node.spec?.taints ?? []) as Taint[]).some((t) => t.effect === 'NoExecute' && (t.key === unreachableTaintKey || t.key === notReadyTaintKey));
    if (tainted) return desired;
    const turn = this.zones.tryTaint(zoneKey(node), now);
    if (turn.ok) return desired;
    if (Number.isFinite(turn.retryMs)) this.queue.addAfter(name, Math.max(10, turn.retryMs));
    return withoutIt;
  }

  /** MarkPodsNotReady: Endpoints stop sending traffic to pods on a node we cannot hear from. */
  private async markPodsNotReady(nodeName: string): Promise<void> {
    for (const p of this.pods.lister.byIndex(podsByNode, nodeName)) {
      const conds = structuredClone(p.status?.conditions ?? []);
      const ready = conds.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False') continue;
      ready.status = 'False';
      ready.lastTransitionTime = metaTime(this.now());
      try {
        await this.client.update(R.pods, p.metadata.namespace, { ...p, status: { ...p.status, conditions: conds } }, { subresource: 'status' });
        this.recorder.event(p, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (e) {
        if (isConflict(e)) this.log.debug(`pod ${p.metadata.namespace}/${p.metadata.name} changed meanwhile; marked NotReady on the next pass`);
        else if (!isNotFound(e)) this.log.warn(`could not mark pod ${p.metadata.namespace}/${p.metadata.name} NotReady: ${(e as Error).message}`);
      }
    }
  }

  /** As upstream's taint manager (PodDisruptionConditions): say why the pod is going before deleting it. */
  private async markDisruptionTarget(p: Pod): Promise<void> {
    const conds = (p.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
    conds.push({
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
      lastTransitionTime: metaTime(this.now()),
    });
    try {
      await this.client.update(R.pods, p.metadata.namespace, { ...p, status: { ...p.status, conditions: conds } }, { subresource: 'status' });
    } catch (e) {
      // The condition is informative; the eviction goes ahead without it.
      if (isNotFound(e)) throw e;
    }
  }

  /** Taint-based eviction: pods not tolerating the NoExecute health taint for long enough are deleted. */
  private async evictPods(node: Node, now: number): Promise<void> {
    const name = node.metadata.name ?? '';
    const taint = ((node.spec?.taints ?? []) as Taint[]).find(
      (t) => t.effect === 'NoExecute' && (t.key === unreachableTaintKey || t.key === notReadyTaintKey),
    );
    if (!taint) return;
    const since = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    let nextCheck: number | undefined;
    for (const p of this.pods.lister.byIndex(podsByNode, name)) {
      if (p.metadata.deletionTimestamp) continue;
      const limit = tolerationMs(p.spec?.tolerations, taint);
      if (limit === undefined) continue;
      const due = since + limit;
      if (now < due) {
        nextCheck = nextCheck === undefined ? due : Math.min(nextCheck, due);
        continue;
      }
      try {
        await this.markDisruptionTarget(p);
        await this.client.delete(R.pods, p.metadata.namespace, p.metadata.name ?? '');
        this.recorder.event(p, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${p.metadata.namespace}/${p.metadata.name}`);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (nextCheck !== undefined) this.queue.addAfter(name, Math.max(10, nextCheck - now));
  }
}
