// metrics.k8s.io/v1beta1 pods (PodMetrics): each running pod's containers' CPU and memory over
// their node's last window, as metrics-server serves them to `kubectl top pod`.
import type { Pod } from '../../../api/core.js';
import type { KubeObject } from '../../../api/meta.js';
import { StatusError } from '../../../machinery/status.js';
import type { PodUsage } from '../../metrics/resource-metrics.js';
import { entry, type RegistryDeps } from '../entry.js';
import { group, metricsInfo, metricsStrategy, usageQuantities, version, windowString } from './shared.js';

function podMetrics(pod: Pod, u: PodUsage): KubeObject {
  return {
    apiVersion: `${group}/${version}`,
    kind: 'PodMetrics',
    metadata: {
      name: pod.metadata.name!,
      namespace: pod.metadata.namespace!,
      creationTimestamp: new Date().toISOString(),
      ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}),
    },
    timestamp: u.timestamp.toISOString(),
    window: windowString(u.windowMs),
    containers: u.containers.map((c) => ({ name: c.name, usage: usageQuantities(c.usage) })),
  } as KubeObject;
}

// metrics-server names the pod with its namespace in this one message.
const notFound = (namespace: string, name: string) =>
  new StatusError(404, 'NotFound', `podmetrics.${group} "${namespace}/${name}" not found`, { name: `${namespace}/${name}`, group, kind: 'podmetrics' });

function podsOf(deps: RegistryDeps, namespace: string | undefined): Pod[] {
  return deps.store('', 'pods').cachedObjects(namespace) as Pod[];
}

export const podmetrics = entry<KubeObject>({
  info: metricsInfo('pods', 'PodMetrics', true),
  strategy: metricsStrategy,
  read: (deps) => ({
    async get(namespace, name) {
      const metrics = deps.resourceMetrics;
      const pod = (await deps.store('', 'pods').find(namespace, name))?.obj as Pod | undefined;
      if (!metrics || !pod) throw notFound(namespace ?? '', name);
      await metrics.fresh();
      const u = metrics.pods().get(`${pod.metadata.namespace}/${name}`);
      if (!u) throw notFound(namespace ?? '', name);
      return podMetrics(pod, u);
    },
    async list(namespace, matches) {
      const metrics = deps.resourceMetrics;
      if (!metrics) return [];
      const pods = podsOf(deps, namespace).filter((p) => matches(p));
      if (pods.length === 0) return [];
      await metrics.fresh();
      const usage = metrics.pods();
      const out: KubeObject[] = [];
      for (const pod of pods) {
        const u = usage.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
        if (u) out.push(podMetrics(pod, u));
      }
      return out;
    },
  }),
});
