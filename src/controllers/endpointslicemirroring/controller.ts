// The EndpointSlice mirroring controller (upstream's pkg/controller/endpointslicemirroring):
// Services without a selector get their endpoints from user-written Endpoints objects; this
// controller mirrors those into EndpointSlices (managed-by endpointslicemirroring-controller.k8s.io)
// so consumers that read only slices — kube-proxy, DNS — see them too. Endpoints labelled
// endpointslice.kubernetes.io/skip-mirror=true are not mirrored (the API server's own
// `default/kubernetes` carries it: the API server writes that slice itself), nor leader-election
// records, nor Endpoints of Services that have a selector (the EndpointSlice controller's).
import type { Endpoints, Service } from '../../api/core.js';
import type { EndpointSlice } from '../../api/discovery.js';
import type { Client } from '../../client/client.js';
import { EventRecorder } from '../../client/events.js';
import type { Informer, InformerFactory, WorkQueue } from '../../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../../client/keys.js';
import { R } from '../../client/resources.js';
import { serviceKeyForSlice } from '../endpointslice/slice-meta.js';
import { isNamespaceTerminating, isNotFound } from '../common/errors.js';
import {
  EndpointSliceMirroringControllerName,
  LabelManagedBy,
  LabelSkipMirror,
  LeaderElectionRecordAnnotationKey,
} from '../endpointslice/util/labels.js';
import { QueueWorker } from '../common/queue-worker.js';
import { withKind, type Recorder } from '../common/recorder.js';
import { ensureSliceServiceIndex, slicesForService } from '../endpointslice/util/label-index.js';
import { serviceSelector } from '../endpointslice/util/service-selection.js';
import { EndpointSliceTracker, staleSlicesError, managedSliceHandlers } from '../endpointslice/util/slice-tracker.js';
import { defaultMaxEndpointsPerSubset } from './desired.js';
import { reconcileMirroredSlices, type MirrorPlan } from './reconciler.js';

export interface EndpointSliceMirroringControllerOptions {
  /** --mirroring-max-endpoints-per-subset (upstream's default 1000). */
  maxEndpointsPerSubset?: number;
  recorder?: Recorder;
  queue?: WorkQueue<string>;
}

/** Whether an Endpoints object is one to mirror at all. */
export function shouldMirror(ep: Endpoints): boolean {
  return ep.metadata.labels?.[LabelSkipMirror] !== 'true' && ep.metadata.annotations?.[LeaderElectionRecordAnnotationKey] === undefined;
}

export class EndpointSliceMirroringController extends QueueWorker {
  readonly controllerName = EndpointSliceMirroringControllerName;
  private readonly services: Informer<Service>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly recorder: Recorder;
  private readonly maxEndpointsPerSubset: number;
  private readonly tracker = new EndpointSliceTracker();

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: EndpointSliceMirroringControllerOptions = {},
  ) {
    super('epsmirror', { queue: opts.queue, giveUp: true });
    this.recorder = opts.recorder ?? new EventRecorder(client, 'endpoint-slice-mirroring-controller');
    this.maxEndpointsPerSubset = opts.maxEndpointsPerSubset ?? defaultMaxEndpointsPerSubset;
    this.services = informers.informer<Service>(R.services);
    this.endpoints = informers.informer<Endpoints>(R.endpoints);
    this.slices = informers.informer<EndpointSlice>(R.endpointslices);

    ensureSliceServiceIndex(this.slices);
    const enqueue = (o: { metadata: { namespace?: string; name?: string } }) => this.queue.add(metaNamespaceKey(o as Service));
    this.services.addEventHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s), onDelete: enqueue });
    this.endpoints.addEventHandler({ onAdd: enqueue, onUpdate: (_o, e) => enqueue(e), onDelete: enqueue });
    this.slices.addEventHandler(
      managedSliceHandlers(this.tracker, (s) => this.managedByUs(s), (s) => this.enqueueForSlice(s)),
    );
  }

  protected override cachesToSync() {
    return [this.services, this.endpoints, this.slices];
  }

  private managedByUs(s: EndpointSlice): boolean {
    return s.metadata.labels?.[LabelManagedBy] === this.controllerName;
  }

  private enqueueForSlice(s: EndpointSlice): void {
    const key = serviceKeyForSlice(s);
    if (key) this.queue.add(key);
  }

  private mirroredSlices(namespace: string, name: string): EndpointSlice[] {
    return slicesForService(this.slices, namespace, name, this.controllerName);
  }

  async sync(key: string): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const service = this.services.lister.get(namespace, name);
    const endpoints = this.endpoints.lister.get(namespace, name);
    const existing = this.mirroredSlices(namespace, name);
    // Nothing to mirror: no Service, a Service whose slices the EndpointSlice controller
    // writes, no Endpoints, or Endpoints that opted out.
    if (!service || serviceSelector(service) || !endpoints || !shouldMirror(endpoints)) {
      if (!service || !endpoints) this.tracker.deleteService(namespace, name);
      await this.deleteSlices(namespace, existing);
      return;
    }
    if (this.tracker.staleSlices({ namespace, name, uid: endpoints.metadata.uid }, existing)) {
      throw staleSlicesError('EndpointSlice');
    }
    const plan = reconcileMirroredSlices(endpoints, existing, this.maxEndpointsPerSubset);
    const ref = withKind(endpoints, 'v1', 'Endpoints');
    if (plan.invalidAddresses > 0) {
      this.recorder.event(ref, 'Warning', 'InvalidIPAddress', `Skipped ${plan.invalidAddresses} invalid IP addresses when mirroring to EndpointSlices`);
    }
    if (plan.skippedAddresses > plan.invalidAddresses) {
      this.recorder.event(
        ref,
        'Warning',
        'TooManyAddressesToMirror',
        `A max of ${this.maxEndpointsPerSubset} addresses can be mirrored to EndpointSlices per Endpoints subset. ${plan.skippedAddresses} addresses were skipped`,
      );
    }
    await this.finalize(endpoints, plan);
  }

  private async finalize(endpoints: Endpoints, plan: MirrorPlan): Promise<void> {
    const ns = endpoints.metadata.namespace ?? '';
    if (!endpoints.metadata.deletionTimestamp) {
      for (const s of plan.toCreate) {
        try {
          this.tracker.update(await this.client.create<EndpointSlice>(R.endpointslices, ns, s));
        } catch (e) {
          if (isNamespaceTerminating(e)) return;
          throw e;
        }
      }
    }
    for (const s of plan.toUpdate) this.tracker.update(await this.client.update<EndpointSlice>(R.endpointslices, ns, s));
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
