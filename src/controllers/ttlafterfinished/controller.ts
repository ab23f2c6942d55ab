// The TTL-after-finished controller (upstream's pkg/controller/ttlafterfinished): a finished Job
// with spec.ttlSecondsAfterFinished is deleted (foreground, so its pods go first) that many
// seconds after it finished. The decision is made again on a fresh read just before deleting, so
// a TTL changed meanwhile is honoured, and the delete is pinned to the resourceVersion read.
import type { Job } from '../../api/batch.js';
import type { Client } from '../../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../../client/keys.js';
import { R } from '../../client/resources.js';
import { isNotFound } from '../common/errors.js';
import { QueueWorker } from '../common/queue-worker.js';
import { isJobFinished } from '../job/conditions.js';

export interface TTLAfterFinishedOptions {
  queue?: WorkQueue<string>;
  now?: () => number;
}

/** When a finished Job finished: its completionTime, else when Complete or Failed became True. */
export function jobFinishTime(job: Job): number | undefined {
  if (job.status?.completionTime) return Date.parse(job.status.completionTime);
  const c = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  const t = c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

/** Milliseconds until the Job expires (≤ 0: expired), undefined when it never does. */
export function timeLeftMs(job: Job, now: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl == null || job.metadata.deletionTimestamp || !isJobFinished(job)) return undefined;
  const finished = jobFinishTime(job);
  if (finished === undefined) return undefined;
  return finished + ttl * 1000 - now;
}

export class TTLAfterFinishedController extends QueueWorker {
  private readonly jobs: Informer<Job>;
  private readonly now: () => number;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: TTLAfterFinishedOptions = {},
  ) {
    super('ttl-after-finished', opts.queue);
    this.now = opts.now ?? Date.now;
    this.jobs = informers.informer<Job>(R.jobs);
    const consider = (j: Job) => {
      if (timeLeftMs(j, this.now()) !== undefined) this.queue.add(metaNamespaceKey(j));
    };
    this.jobs.addEventHandler({ onAdd: consider, onUpdate: (_o, j) => consider(j), onDelete: () => {} });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.jobs.lister.get(namespace, name);
    if (!cached) return;
    const left = timeLeftMs(cached, this.now());
    if (left === undefined) return;
    if (left > 0) {
      this.queue.addAfter(key, left);
      return;
    }
    let fresh: Job;
    try {
      fresh = await this.client.get<Job>(R.jobs, namespace, name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    const freshLeft = timeLeftMs(fresh, this.now());
    if (freshLeft === undefined) return;
    if (freshLeft > 0) {
      this.queue.addAfter(key, freshLeft);
      return;
    }
    this.log.info(`cleaning up Job ${key}: its TTL after finished has passed`);
    try {
      await this.client.delete(R.jobs, namespace, name, {
        propagationPolicy: 'Foreground',
        preconditions: { resourceVersion: fresh.metadata.resourceVersion },
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
