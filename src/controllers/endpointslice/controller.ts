// The EndpointSlice controller (upstream's pkg/controller/endpointslice): for every Service with
// a selector, EndpointSlices listing the pods it selects. Handlers only enqueue Service keys;
// sync(key) reads the caches, plans the slices with the pure reconciler and writes the
// difference. Its own writes are tracked so a sync never acts on a cache that has not seen them.
import type { Node, Pod, Service } from '../../api/core.js';
import type { EndpointSlice } from '../../api/discovery.js';
import type { Client } from '../../client/client.js';
import { EventRecorder } from '../../client/events.js';
import type { Informer, InformerFactory, WorkQueue } from '../../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../../client/keys.js';
import { R } from '../../client/resources.js';
import { errorText } from '../../util/log.js';
import { defaultMaxEndpointsPerSlice, reconcileEndpointSlices, type EndpointSlicePlan } from './reconciler.js';
import { serviceKeyForSlice } from './slice-meta.js';
import { isNamespaceTerminating, isNotFound } from '../common/errors.js';
import { EndpointsLastChangeTriggerTime, EndpointSliceControllerName, LabelManagedBy } from './util/labels.js';
import { QueueWorker } from '../common/queue-worker.js';
import { withKind, type Recorder } from '../common/recorder.js';
import { ensurePodLabelsIndex, ensureServiceSelectorIndex, ensureSliceServiceIndex, podsForService, slicesForService } from './util/label-index.js';
import { serviceSelector } from './util/service-selection.js';
import { podEventHandlers } from './util/pod-handlers.js';
import { EndpointSliceTracker, staleSlicesError, managedSliceHandlers } from './util/slice-tracker.js';
import { setTriggerTimeAnnotation, TriggerTimeTracker } from './util/trigger-time.js';

/** Upstream waits at least a second before reacting to someone else's change to a slice. */
const endpointSliceChangeMinSyncDelayMs = 1000;

export interface EndpointSliceControllerOptions {
  /** --max-endpoints-per-slice (upstream's default 100, at most 1000). */
  maxEndpointsPerSlice?: number;
  /** Delay syncs caused by pod changes to batch them (--endpoint-updates-batch-period; default 0). */
  endpointUpdatesBatchPeriodMs?: number;
  recorder?: Recorder;
  queue?: WorkQueue<string>;
}

export class EndpointSliceController extends QueueWorker {
  readonly controllerName = EndpointSliceControllerName;
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly nodes: Informer<Node>;
  private readonly recorder: Recorder;
  private readonly maxEndpointsPerSlice: number;
  private readonly batchMs: number;
  private readonly tracker = new EndpointSliceTracker();
  private readonly triggerTimes = new TriggerTimeTracker();

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: EndpointSliceControllerOptions = {},
  ) {
    super('endpointslice', { queue: opts.queue, giveUp: true });
    this.recorder = opts.recorder ?? new EventRecorder(client, 'endpoint-slice-controller');
    this.maxEndpointsPerSlice = opts.maxEndpointsPerSlice ?? defaultMaxEndpointsPerSlice;
    // The API server refuses slices of more than 1000 endpoints (upstream checks the flag the same way).
    if (!Number.isInteger(this.maxEndpointsPerSlice) || this.maxEndpointsPerSlice < 1 || this.maxEndpointsPerSlice > 1000) {
      throw new RangeError(`--max-endpoints-per-slice must be between 1 and 1000, not ${this.maxEndpointsPerSlice}`);
    }
    this.batchMs = opts.endpointUpdatesBatchPeriodMs ?? 0;
    this.services = informers.informer<Service>(R.services);
    this.pods = informers.informer<Pod>(R.pods);
    this.slices = informers.informer<EndpointSlice>(R.endpointslices);
    this.nodes = informers.informer<Node>(R.nodes);

    this.services.addEventHandler({
      onAdd: (s) => this.queue.add(metaNamespaceKey(s)),
      onUpdate: (_o, s) => this.queue.add(metaNamespaceKey(s)),
      onDelete: (s) => this.queue.add(metaNamespaceKey(s)),
    });
    ensurePodLabelsIndex(this.pods);
    ensureServiceSelectorIndex(this.services);
    ensureSliceServiceIndex(this.slices);
    this.pods.addEventHandler(podEventHandlers(this.services, this.triggerTimes, (k) => this.queue.addAfter(k, this.batchMs)));
    this.slices.addEventHandler(
      managedSliceHandlers(this.tracker, (s) => this.managedByUs(s), (s) => this.enqueueForSlice(s)),
    );
    // Pods on a Node that appears later were skipped; their Services retry with backoff, so
    // Node events need no handler here.
  }

  protected override cachesToSync() {
    return [this.services, this.pods, this.slices, this.nodes];
  }

  private managedByUs(s: EndpointSlice): boolean {
    return s.metadata.labels?.[LabelManagedBy] === this.controllerName;
  }

  /** `deletedAt`: when the informer saw the pod go, the trigger time of the change it causes. */

  private enqueueForSlice(s: EndpointSlice): void {
    const key = serviceKeyForSlice(s);
    if (key) this.queue.addAfter(key, Math.max(endpointSliceChangeMinSyncDelayMs, this.batchMs));
  }

  /** Our slices of the Service `name` in `namespace`, as the cache has them, without those being deleted. */
  private ourSlices(namespace: string, name: string): EndpointSlice[] {
    return slicesForService(this.slices, namespace, name, this.controllerName);
  }

  async sync(key: string): Promise<void> {
    await this.syncService(key);
    this.triggerTimes.synced(key);
  }

  private async syncService(key: string): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const service = this.services.lister.get(namespace, name);
    const selector = service && serviceSelector(service);
    if (!service || !selector || service.spec?.type === 'ExternalName') {
      // Upstream leaves deleted Services' slices to the garbage collector and leaves slices of
      // Services that lost their selector alone; here they go at once, so no proxy keeps
      // routing to pods the Service no longer selects.
      if (!service) {
        this.triggerTimes.deleteService(namespace, name);
        this.tracker.deleteService(namespace, name);
      }
      await this.deleteSlices(namespace, this.ourSlices(namespace, name));
      return;
    }

    const pods = podsForService(this.pods, service);
    const existing = this.ourSlices(namespace, name);
    if (this.tracker.staleSlices({ namespace, name, uid: service.metadata.uid }, existing)) {
      throw staleSlicesError('EndpointSlice');
    }
    // Computed on every sync, even one that writes nothing, so the next one compares against it.
    const triggerTime = this.triggerTimes.compute(service, pods);
    const plan = reconcileEndpointSlices({
      service,
      pods,
      existingSlices: existing,
      maxEndpointsPerSlice: this.maxEndpointsPerSlice,
      controllerName: this.controllerName,
      nodeFor: (n) => this.nodes.lister.get(undefined, n),
    });
    try {
      await this.finalize(service, plan, triggerTime);
    } catch (e) {
      this.recorder.event(
        withKind(service, 'v1', 'Service'),
        'Warning',
        'FailedToUpdateEndpointSlices',
        `Error updating Endpoint Slices for Service ${namespace}/${name}: ${errorText(e)}`,
      );
      throw e;
    }
    if (plan.podsWithoutNode.length) {
      throw new Error(`skipping Pods ${plan.podsWithoutNode.join(', ')} for Service ${key}: Node not found`);
    }
  }

  private async finalize(service: Service, plan: EndpointSlicePlan, triggerTime: number): Promise<void> {
    const ns = service.metadata.namespace ?? '';
    // No new slices for a Service being deleted: the garbage collector would race them.
    if (!service.metadata.deletionTimestamp) {
      for (const s of plan.toCreate) {
        s.metadata.annotations ??= {};
        setTriggerTimeAnnotation(s.metadata.annotations, EndpointsLastChangeTriggerTime, triggerTime);
        try {
          this.tracker.update(await this.client.create<EndpointSlice>(R.endpointslices, ns, s));
        } catch (e) {
          if (isNamespaceTerminating(e)) return;
          throw e;
        }
      }
    }
    for (const s of plan.toUpdate) {
      s.metadata.annotations ??= {};
      setTriggerTimeAnnotation(s.metadata.annotations, EndpointsLastChangeTriggerTime, triggerTime);
      this.tracker.update(await this.client.update<EndpointSlice>(R.endpointslices, ns, s));
    }
    await this.deleteSlices(ns, plan.toDelete);
  }

  private async deleteSlices(namespace: string, slices: EndpointSlice[]): Promise<void> {
    for (const s of slices) {
      try {
        await this.client.delete(R.endpointslices, namespace, s.metadata.name ?? '');
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      this.tracker.expectDeletion(s);
    }
  }
}
