// A small kube-scheduler: pods without a node, addressed to default-scheduler, are queued; each is
// placed on a feasible node with the fewest pods and bound. Pods it binds are "assumed" on their
// node until the informer shows the binding, so a burst of pods spreads instead of piling onto the
// node that looked emptiest a moment ago. Unschedulable pods are retried when nodes change.
import type { Node, Pod } from '../api/core.js';
import type { Client } from '../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../client/keys.js';
import { R } from '../client/resources.js';
import { StatusError } from '../machinery/status.js';
import { QueueWorker } from '../controllers/common/queue-worker.js';
import { noopRecorder, type Recorder } from '../controllers/common/recorder.js';
import { clientBinder, type Binder } from './binder.js';
import { responsibleFor, schedule } from './filter.js';

export interface SchedulerOptions {
  schedulerName?: string;
  binder?: Binder;
  recorder?: Recorder;
  queue?: WorkQueue<string>;
  /** Retry interval for unschedulable pods besides node events (upstream flushes after 5 min; we retry sooner). */
  retryUnschedulableMs?: number;
}

export class Scheduler extends QueueWorker {
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly binder: Binder;
  private readonly recorder: Recorder;
  private readonly schedulerName: string;
  private readonly retryMs: number;
  /** pod key → node, for pods bound but not yet seen bound in the cache. */
  private readonly assumed = new Map<string, string>();
  private readonly unschedulable = new Set<string>();

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: SchedulerOptions = {},
  ) {
    super('scheduler', opts.queue);
    this.binder = opts.binder ?? clientBinder(client);
    this.recorder = opts.recorder ?? noopRecorder;
    this.schedulerName = opts.schedulerName ?? 'default-scheduler';
    this.retryMs = opts.retryUnschedulableMs ?? 30_000;
    this.pods = informers.informer<Pod>(R.pods);
    this.nodes = informers.informer<Node>(R.nodes);
    this.pods.addEventHandler({
      onAdd: (p) => this.onPod(p),
      onUpdate: (o, p) => {
        // An unschedulable pod waits for a change that could help (node events, a new spec), not for its own status writes.
        if (this.unschedulable.has(metaNamespaceKey(p)) && JSON.stringify(o.spec) === JSON.stringify(p.spec)) return;
        this.onPod(p);
      },
      onDelete: (p) => {
        const key = metaNamespaceKey(p);
        this.assumed.delete(key);
        this.unschedulable.delete(key);
        // A freed slot may make room for a waiting pod.
        this.flushUnschedulable();
      },
    });
    this.nodes.addEventHandler({
      onAdd: () => this.flushUnschedulable(),
      onUpdate: () => this.flushUnschedulable(),
    });
  }

  override run(_workers: number): void {
    // One worker keeps placements sequential, so each sees the previous one (as upstream's single scheduling cycle).
    super.run(1);
  }

  private onPod(p: Pod): void {
    const key = metaNamespaceKey(p);
    if (p.spec?.nodeName) {
      this.assumed.delete(key);
      this.unschedulable.delete(key);
      return;
    }
    if (responsibleFor(p, this.schedulerName)) this.queue.add(key);
  }

  private flushUnschedulable(): void {
    for (const k of this.unschedulable) this.queue.add(k);
    this.unschedulable.clear();
  }

  /** Active pods per node, counting pods assumed but not yet seen bound. */
  private podsPerNode(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const p of this.pods.lister.list()) {
      const n = p.spec?.nodeName;
      if (!n || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    for (const [key, n] of this.assumed) {
      const { namespace, name } = splitKey(key);
      if (this.pods.lister.get(namespace, name)?.spec?.nodeName) continue;
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    return counts;
  }

  /** PodScheduled=False, reason Unschedulable, as upstream's handleSchedulingFailure writes (kubectl describe shows it). */
  private async markUnschedulable(pod: Pod, message: string): Promise<void> {
    const cur = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (cur?.status === 'False' && cur.reason === 'Unschedulable' && cur.message === message) return;
    const conds = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conds.push({
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastProbeTime: null,
      lastTransitionTime: cur?.status === 'False' && cur.lastTransitionTime ? cur.lastTransitionTime : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    try {
      await this.client.update(R.pods, pod.metadata.namespace, { ...pod, status: { ...pod.status, conditions: conds } }, { subresource: 'status' });
    } catch (e) {
      // Stale copy or gone: the next attempt writes it again.
      if (!(e instanceof StatusError && (e.code === 409 || e.code === 404))) throw e;
    }
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.lister.get(namespace, name);
    if (!pod || !responsibleFor(pod, this.schedulerName) || this.assumed.has(key)) return;
    const nodes = this.nodes.lister.list();
    const result = schedule(pod, nodes, this.podsPerNode());
    if ('error' in result) {
      this.unschedulable.add(key);
      this.recorder.event(pod, 'Warning', 'FailedScheduling', result.error);
      await this.markUnschedulable(pod, result.error);
      this.queue.addAfter(key, this.retryMs);
      return;
    }
    this.assumed.set(key, result.node);
    try {
      await this.binder.bind(pod, result.node);
    } catch (e) {
      this.assumed.delete(key);
      // Bound meanwhile (409) or gone (404): the informer will tell us; nothing to retry.
      if (e instanceof StatusError && (e.code === 409 || e.code === 404)) return;
      this.recorder.event(pod, 'Warning', 'FailedScheduling', `Binding rejected: ${(e as Error).message}`);
      throw e;
    }
    this.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${result.node}`);
  }
}
