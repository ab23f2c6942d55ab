// metrics.k8s.io/v1beta1 nodes (NodeMetrics): each node's CPU and memory over the last window,
// as metrics-server serves them to `kubectl top node`.
import type { Node } from '../../../api/core.js';
import type { KubeObject } from '../../../api/meta.js';
import { StatusError } from '../../../machinery/status.js';
import type { ResourceMetrics } from '../../metrics/resource-metrics.js';
import { entry, type RegistryDeps } from '../entry.js';
import { group, metricsInfo, metricsStrategy, usageQuantities, version, windowString } from './shared.js';

function nodeMetrics(metrics: ResourceMetrics, node: Node): KubeObject | undefined {
  const u = metrics.node(node.metadata.name!);
  if (!u) return undefined;
  return {
    apiVersion: `${group}/${version}`,
    kind: 'NodeMetrics',
    metadata: { name: node.metadata.name!, creationTimestamp: new Date().toISOString(), ...(node.metadata.labels ? { labels: node.metadata.labels } : {}) },
    timestamp: u.timestamp.toISOString(),
    window: windowString(u.windowMs),
    usage: usageQuantities(u.usage),
  } as KubeObject;
}

const notFound = (name: string) =>
  new StatusError(404, 'NotFound', `nodemetrics.${group} "${name}" not found`, { name, group, kind: 'nodemetrics' });

function nodesOf(deps: RegistryDeps): Node[] {
  return deps.store('', 'nodes').cachedObjects() as Node[];
}

export const nodemetrics = entry<KubeObject>({
  info: metricsInfo('nodes', 'NodeMetrics', false),
  strategy: metricsStrategy,
  read: (deps) => ({
    async get(_namespace, name) {
      const metrics = deps.resourceMetrics;
      const node = (await deps.store('', 'nodes').find(undefined, name))?.obj as Node | undefined;
      if (!metrics || !node) throw notFound(name);
      await metrics.fresh();
      const m = nodeMetrics(metrics, node);
      if (!m) throw notFound(name);
      return m;
    },
    async list(_namespace, matches) {
      const metrics = deps.resourceMetrics;
      if (!metrics) return [];
      const nodes = nodesOf(deps).filter((n) => matches(n));
      if (nodes.length === 0) return [];
      await metrics.fresh();
      return nodes.map((n) => nodeMetrics(metrics, n)).filter((m): m is KubeObject => m !== undefined);
    },
  }),
});
