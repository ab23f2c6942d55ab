// The Endpoints controller (upstream's pkg/controller/endpoint): the legacy v1 Endpoints object
// of every Service with a selector, which `kubectl get endpoints` shows and older consumers read.
// Services without a selector are left alone: their Endpoints are written by users (and mirrored
// to EndpointSlices by the mirroring controller). An Endpoints object whose Service is gone is
// deleted, including ones left over from before a restart.
import type { Endpoints, Pod, Service } from '../../api/core.js';
import type { Client } from '../../client/client.js';
import { EventRecorder } from '../../client/events.js';
import type { Informer, InformerFactory, WorkQueue } from '../../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../../client/keys.js';
import { R } from '../../client/resources.js';
import { errorText } from '../../util/log.js';
import { isNamespaceTerminating, isNotFound } from '../common/errors.js';
import {
  EndpointsLastChangeTriggerTime,
  EndpointsOverCapacity,
  IsHeadlessService,
  LeaderElectionRecordAnnotationKey,
} from '../endpointslice/util/labels.js';
import { QueueWorker } from '../common/queue-worker.js';
import { withKind, type Recorder } from '../common/recorder.js';
import { ensurePodLabelsIndex, ensureServiceSelectorIndex, podsForService } from '../endpointslice/util/label-index.js';
import { podEventHandlers } from '../endpointslice/util/pod-handlers.js';
import { serviceSelector } from '../endpointslice/util/service-selection.js';
import { setTriggerTimeAnnotation, TriggerTimeTracker } from '../endpointslice/util/trigger-time.js';
import { desiredSubsets, subsetsEqualIgnoreResourceVersion } from './desired.js';
import { StaleEndpointsTracker } from './stale-tracker.js';
import { capacityAnnotationSetCorrectly, truncated, truncateEndpoints } from './truncate.js';
import { StaleInformerCacheError } from '../common/stale-cache.js';

export interface EndpointsControllerOptions {
  /** Delay syncs caused by pod changes to batch them (--endpoint-updates-batch-period; default 0). */
  endpointUpdatesBatchPeriodMs?: number;
  recorder?: Recorder;
  queue?: WorkQueue<string>;
}

function withoutKey(m: Record<string, string> | undefined, key: string): Record<string, string> {
  const out = { ...(m ?? {}) };
  delete out[key];
  return out;
}

function sameStringMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => (b ?? {})[k] === (a ?? {})[k]);
}

export class EndpointsController extends QueueWorker {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly recorder: Recorder;
  private readonly batchMs: number;
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly staleTracker = new StaleEndpointsTracker();

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: EndpointsControllerOptions = {},
  ) {
    super('endpoints', { queue: opts.queue, giveUp: true });
    this.recorder = opts.recorder ?? new EventRecorder(client, 'endpoint-controller');
    this.batchMs = opts.endpointUpdatesBatchPeriodMs ?? 0;
    this.services = informers.informer<Service>(R.services);
    this.pods = informers.informer<Pod>(R.pods);
    this.endpoints = informers.informer<Endpoints>(R.endpoints);

    this.services.addEventHandler({
      onAdd: (s) => this.queue.add(metaNamespaceKey(s)),
      onUpdate: (_o, s) => this.queue.add(metaNamespaceKey(s)),
      onDelete: (s) => this.queue.add(metaNamespaceKey(s)),
    });
    ensurePodLabelsIndex(this.pods);
    ensureServiceSelectorIndex(this.services);
    this.pods.addEventHandler(podEventHandlers(this.services, this.triggerTimes, (k) => this.queue.addAfter(k, this.batchMs)));
    // Someone deleted an Endpoints object we keep: write it again.
    this.endpoints.addEventHandler({ onDelete: (e) => this.queue.add(metaNamespaceKey(e)) });
  }

  protected override cachesToSync() {
    return [this.services, this.pods, this.endpoints];
  }

  protected override beforeWorkers(): void {
    this.checkLeftoverEndpoints();
  }

  /** `deletedAt`: when the informer saw the pod go, the trigger time of the change it causes. */

  /**
   * Every existing Endpoints object gets a sync once at start: those whose Service was deleted
   * while we were down are removed (leader-election records, which have no Service, are kept).
   */
  private checkLeftoverEndpoints(): void {
    for (const ep of this.endpoints.lister.list()) {
      if (ep.metadata.annotations?.[LeaderElectionRecordAnnotationKey] !== undefined) continue;
      this.queue.add(metaNamespaceKey(ep));
    }
  }

  async sync(key: string): Promise<void> {
    await this.syncService(key);
    this.triggerTimes.synced(key);
  }

  private async syncService(key: string): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const service = this.services.lister.get(namespace, name);
    if (!service) {
      const ep = this.endpoints.lister.get(namespace, name);
      if (ep?.metadata.annotations?.[LeaderElectionRecordAnnotationKey] === undefined) {
        try {
          await this.client.delete(R.endpoints, namespace, name);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      this.triggerTimes.deleteService(namespace, name);
      this.staleTracker.delete(namespace, name);
      return;
    }
    if (service.spec?.type === 'ExternalName') return;
    const selector = serviceSelector(service);
    // No selector: the Endpoints belong to whoever wrote them.
    if (!selector) return;

    const pods = podsForService(this.pods, service);
    // Computed on every sync, even one that writes nothing, so the next one compares against it.
    const triggerTime = this.triggerTimes.compute(service, pods);
    const { subsets } = desiredSubsets(service, pods);

    const current = this.endpoints.lister.get(namespace, name);
    if (current && this.staleTracker.isStale(current)) {
      throw new StaleInformerCacheError(`endpoints informer cache is out of date, resource version ${current.metadata.resourceVersion} already processed for endpoints ${key}`);
    }
    const create = !current?.metadata.resourceVersion;
    if (
      !create &&
      subsetsEqualIgnoreResourceVersion(current.subsets, subsets) &&
      sameStringMap(withoutKey(current.metadata.labels, IsHeadlessService), service.metadata.labels) &&
      capacityAnnotationSetCorrectly(current.metadata.annotations, current.subsets ?? [])
    ) {
      return;
    }

    const next: Endpoints = current
      ? structuredClone(current)
      : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    next.subsets = subsets;
    const annotations = { ...(next.metadata.annotations ?? {}) };
    setTriggerTimeAnnotation(annotations, EndpointsLastChangeTriggerTime, triggerTime);
    if (truncateEndpoints(subsets)) annotations[EndpointsOverCapacity] = truncated;
    else delete annotations[EndpointsOverCapacity];
    next.metadata.annotations = annotations;
    const labels = { ...(service.metadata.labels ?? {}) };
    if (service.spec?.clusterIP === 'None' || !service.spec?.clusterIP) labels[IsHeadlessService] = '';
    else delete labels[IsHeadlessService];
    next.metadata.labels = labels;

    try {
      if (create) {
        await this.client.create<Endpoints>(R.endpoints, namespace, next);
      } else {
        const updated = await this.client.update<Endpoints>(R.endpoints, namespace, next);
        if (updated.metadata.resourceVersion !== current.metadata.resourceVersion) this.staleTracker.stale(current);
      }
    } catch (e) {
      // Creates in a terminating namespace keep failing: drop the key.
      if (create && isNamespaceTerminating(e)) return;
      const ref = withKind(next, 'v1', 'Endpoints');
      if (create) this.recorder.event(ref, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${namespace}/${name}: ${errorText(e)}`);
      else this.recorder.event(ref, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${namespace}/${name}: ${errorText(e)}`);
      throw e;
    }
  }
}
