// The pods a Job creates (upstream's GetPodFromTemplate plus the Job controller's additions): the
// job-tracking finalizer, so a pod is counted before it can disappear, and for Indexed Jobs the
// completion index as annotation, label, JOB_COMPLETION_INDEX and hostname `<job>-<index>`.
import { JobLabels, type Job } from '../../api/batch.js';
import type { Container, Pod } from '../../api/core.js';
import type { OwnerReference } from '../../api/meta.js';
import { getPodFromTemplate } from '../common/pod-template.js';

const completionIndexEnv = 'JOB_COMPLETION_INDEX';
/** How many times the pod's index failed before it (backoffLimitPerIndex). */
export const indexFailureCountAnnotation = 'batch.kubernetes.io/job-index-failure-count';

function addCompletionIndexEnv(c: Container): void {
  const env = (c.env ??= []);
  if (env.some((e) => e.name === completionIndexEnv)) return;
  env.push({ name: completionIndexEnv, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JobLabels.completionIndex}']` } } } as (typeof env)[number]);
}

export function newJobPod(job: Job, controllerRef: OwnerReference, index?: number, indexFailures?: number): Pod {
  const pod = getPodFromTemplate(job.spec.template, job, controllerRef);
  pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []), JobLabels.trackingFinalizer];
  if (index === undefined) return pod;
  const name = job.metadata.name ?? '';
  pod.metadata.generateName = `${name}-${index}-`;
  pod.metadata.annotations = { ...pod.metadata.annotations, [JobLabels.completionIndex]: String(index) };
  pod.metadata.labels = { ...pod.metadata.labels, [JobLabels.completionIndex]: String(index) };
  if (indexFailures !== undefined) pod.metadata.annotations[indexFailureCountAnnotation] = String(indexFailures);
  // A stable hostname per index, so a headless Service can give each index a DNS name.
  if (!pod.spec.hostname) pod.spec.hostname = `${name}-${index}`;
  for (const c of pod.spec.initContainers ?? []) addCompletionIndexEnv(c);
  for (const c of pod.spec.containers ?? []) addCompletionIndexEnv(c);
  return pod;
}

export function hasTrackingFinalizer(pod: Pod): boolean {
  return (pod.metadata.finalizers ?? []).includes(JobLabels.trackingFinalizer);
}

/** When the pod's last container stopped (else its deletion, else undefined): back-off counts from there. */
export function podFinishTime(pod: Pod): number | undefined {
  let latest: number | undefined;
  for (const cs of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) {
    const at = (cs as { state?: { terminated?: { finishedAt?: string } } }).state?.terminated?.finishedAt;
    const t = at ? Date.parse(at) : NaN;
    if (!Number.isNaN(t) && (latest === undefined || t > latest)) latest = t;
  }
  if (latest !== undefined) return latest;
  const del = pod.metadata.deletionTimestamp ? Date.parse(pod.metadata.deletionTimestamp) : NaN;
  return Number.isNaN(del) ? undefined : del;
}
