// The pod a controller creates from its template (upstream's GetPodFromTemplate): the template's
// labels, annotations, finalizers and spec, named `<owner>-<random>` by the API server's generateName,
// controlled by the owner (a ReplicaSet, a Job).
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
