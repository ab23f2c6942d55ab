// The pod a ReplicaSet creates from its template (upstream's GetPodFromTemplate): the template's
// labels, annotations, finalizers and spec, named `<rs>-<random>` by the API server's generateName,
// controlled by the ReplicaSet.
import type { Pod, PodTemplateSpec } from '../../api/core.js';
import type { KubeObject, OwnerReference } from '../../api/meta.js';

export function getPodFromTemplate(template: PodTemplateSpec, parent: KubeObject, controllerRef: OwnerReference): Pod {
  const tm = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${parent.metadata.name}-`,
      namespace: parent.metadata.namespace,
      ownerReferences: [controllerRef],
    },
    spec: structuredClone(template.spec),
  };
  if (tm.labels) pod.metadata.labels = { ...tm.labels };
  if (tm.annotations) pod.metadata.annotations = { ...tm.annotations };
  if (tm.finalizers) pod.metadata.finalizers = [...tm.finalizers];
  return pod;
}

/** slowStartBatch: calls fn in batches of 1, 2, 4, ... and stops after the first batch with an error, so a quota or admission failure costs one call, not hundreds. */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<{ successes: number; error?: Error }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length) return { successes, error: failed[0]!.reason as Error };
    remaining -= batch;
  }
  return { successes };
}
