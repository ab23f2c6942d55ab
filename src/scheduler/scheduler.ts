// A small kube-scheduler: pods without a node, addressed to default-scheduler, are queued; each is
// placed by the default plugins (filter.ts) on a snapshot of nodes and the pods on them, and bound.
// Pods it binds are "assumed" on their node until the informer shows the binding, so a burst of
// pods spreads instead of piling onto the node that looked best a moment ago. Unschedulable pods
// are retried when nodes change, a pod goes away, or claims, volumes and classes change (the
// VolumeBinding plugin, volume-binding.ts).
import type { ReplicaSet, StatefulSet } from '../api/apps.js';
import type { Namespace, Node, Pod, Service } from '../api/core.js';
import type { KubeObject } from '../api/meta.js';
import type { Client } from '../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../client/keys.js';
import { R } from '../client/resources.js';
import { StatusError } from '../machinery/status.js';
import { QueueWorker } from '../controllers/common/queue-worker.js';
import { noopRecorder, type Recorder } from '../controllers/common/recorder.js';
import { clientBinder, type Binder } from './binder.js';
import { responsibleFor, schedule } from './filter.js';
import { defaultSelector, type WorkloadListers } from './framework/default-selector.js';
import { buildSnapshot, isTerminal } from './framework/snapshot.js';
import type { Snapshot } from './framework/types.js';
import { claimsAwaitingNode, type VolumeObjects } from './volume-binding.js';
import { AnnSelectedNode, type PersistentVolume, type PersistentVolumeClaim, type StorageClass } from '../api/storage.js';
import { metaTime } from '../machinery/time.js';

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
  private readonly namespaces: Informer<Namespace>;
  private readonly workloads: WorkloadListers;
  private readonly binder: Binder;
  private readonly recorder: Recorder;
  private readonly schedulerName: string;
  private readonly retryMs: number;
  /** pod key → the pod as bound, for pods bound but not yet seen bound in the cache. */
  private readonly assumed = new Map<string, Pod>();
  private readonly unschedulable = new Set<string>();
  private readonly volumes: VolumeObjects;

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
    // namespaceSelector in pod affinity terms selects namespaces by their labels.
    this.namespaces = informers.informer<Namespace>(R.namespaces);
    // PodTopologySpread's default constraints spread a pod among those its Services and controller select.
    const services = informers.informer<Service>(R.services);
    const replicaSets = informers.informer<ReplicaSet>(R.replicasets);
    const statefulSets = informers.informer<StatefulSet>(R.statefulsets);
    this.workloads = {
      services: (ns) => services.lister.list(ns),
      ownerSelector: (kind, ns, name) => (kind === 'ReplicaSet' ? replicaSets : statefulSets).lister.get(ns, name)?.spec?.selector,
    };
    this.pods.addEventHandler({
      onAdd: (p) => this.onPod(p),
      onUpdate: (o, p) => {
        // An unschedulable pod waits for a change that could help (node events, a new spec), not for its own status writes.
        if (this.unschedulable.has(metaNamespaceKey(p)) && JSON.stringify(o.spec) === JSON.stringify(p.spec)) return;
        this.onPod(p);
        // A bound pod that finished frees its requests; one whose labels changed may now satisfy
        // or stop blocking affinity and spread: waiting pods get another try (AssignedPodUpdate).
        if (p.spec?.nodeName && (isTerminal(p) !== isTerminal(o) || JSON.stringify(o.metadata.labels) !== JSON.stringify(p.metadata.labels))) {
          this.flushUnschedulable();
        }
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
    const claims = informers.informer<PersistentVolumeClaim>(R.persistentvolumeclaims);
    const pvs = informers.informer<PersistentVolume>(R.persistentvolumes);
    const classes = informers.informer<StorageClass>(R.storageclasses);
    this.volumes = {
      claim: (ns, name) => claims.lister.get(ns, name),
      volume: (name) => pvs.lister.get(undefined, name),
      volumes: () => pvs.lister.list(),
      storageClass: (name) => (name ? classes.lister.get(undefined, name) : undefined),
    };
    // A claim created or bound, or a volume added, may let a waiting pod in.
    for (const inf of [claims, pvs, classes] as Informer<KubeObject>[]) {
      inf.addEventHandler({ onAdd: () => this.flushUnschedulable(), onUpdate: () => this.flushUnschedulable() });
    }
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

  /** Nodes with the pods on them, counting pods assumed but not yet seen bound. */
  private snapshot(): Snapshot {
    const pods = this.pods.lister.list();
    for (const [key, p] of this.assumed) {
      const { namespace, name } = splitKey(key);
      if (!this.pods.lister.get(namespace, name)?.spec?.nodeName) pods.push(p);
    }
    const snapshot = buildSnapshot(this.nodes.lister.list(), pods, (ns) => this.namespaces.lister.get(undefined, ns)?.metadata.labels);
    snapshot.defaultSelector = (pod) => defaultSelector(pod, this.workloads);
    snapshot.volumes = this.volumes;
    return snapshot;
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
      lastTransitionTime: cur?.status === 'False' && cur.lastTransitionTime ? cur.lastTransitionTime : metaTime(),
    });
    try {
      await this.client.update(R.pods, pod.metadata.namespace, { ...pod, status: { ...pod.status, conditions: conds } }, { subresource: 'status' });
    } catch (e) {
      // Stale copy or gone: the next attempt writes it again.
      if (!(e instanceof StatusError && (e.code === 409 || e.code === 404))) throw e;
    }
  }

  /** The chosen node, written on the pod's WaitForFirstConsumer claims for the binder and provisioner. */
  private async selectNodeForClaims(pod: Pod, node: string): Promise<void> {
    for (const cached of claimsAwaitingNode(pod, this.volumes)) {
      // Failures here are not the pod's own 409/404 (which end the attempt quietly): they are
      // reported and retried; a conflict on the claim just reads it again.
      let pvc: PersistentVolumeClaim = cached;
      for (let attempt = 0; ; attempt++) {
        if (pvc.spec?.volumeName || pvc.metadata.annotations?.[AnnSelectedNode]) break;
        const next = structuredClone(pvc);
        next.metadata.annotations = { ...next.metadata.annotations, [AnnSelectedNode]: node };
        try {
          await this.client.update(R.persistentvolumeclaims, pvc.metadata.namespace, next);
          break;
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 409) || attempt >= 4) throw new Error(`binding volumes: ${(e as Error).message}`);
          const name = pvc.metadata.name ?? '';
          pvc = await this.client.get<PersistentVolumeClaim>(R.persistentvolumeclaims, pvc.metadata.namespace, name).catch((g: Error) => {
            throw new Error(`binding volumes: ${g.message}`);
          });
        }
      }
    }
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.lister.get(namespace, name);
    if (!pod || !responsibleFor(pod, this.schedulerName) || this.assumed.has(key)) return;
    const result = schedule(pod, this.snapshot());
    if ('error' in result) {
      this.unschedulable.add(key);
      this.recorder.event(pod, 'Warning', 'FailedScheduling', result.error);
      await this.markUnschedulable(pod, result.error);
      this.queue.addAfter(key, this.retryMs);
      return;
    }
    this.assumed.set(key, { ...pod, spec: { ...pod.spec, nodeName: result.node } });
    try {
      await this.selectNodeForClaims(pod, result.node);
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
