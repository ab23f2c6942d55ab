// Small object builders for the controller tests.
import type { Deployment, ReplicaSet } from '../../src/api/apps.js';
import type { Node, Pod } from '../../src/api/core.js';

export function pod(name: string, o: { node?: string; phase?: Pod['status'] extends infer S ? S extends { phase?: infer P } ? P : never : never; ready?: boolean; readySince?: string; created?: string; uid?: string; restarts?: number; labels?: Record<string, string>; cost?: string } = {}): Pod {
  const p: Pod = {
    metadata: { name, namespace: 'default', uid: o.uid ?? `uid-${name}`, creationTimestamp: o.created ?? '2026-01-01T00:00:00Z', labels: o.labels ?? { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: { phase: o.phase ?? 'Running' },
  };
  if (o.cost !== undefined) p.metadata.annotations = { 'controller.kubernetes.io/pod-deletion-cost': o.cost };
  if (o.ready !== undefined) {
    p.status!.conditions = [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: o.readySince ?? '2026-01-01T00:00:00Z' }];
  }
  if (o.restarts !== undefined) {
    p.status!.containerStatuses = [{ name: 'c', ready: true, restartCount: o.restarts, image: 'busybox', imageID: '' }];
  }
  return p;
}

export function deployment(o: { replicas?: number; maxSurge?: number | string; maxUnavailable?: number | string; recreate?: boolean; generation?: number } = {}): Deployment {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: o.generation ?? 1 },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      strategy: o.recreate
        ? { type: 'Recreate' }
        : { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.maxSurge ?? '25%', maxUnavailable: o.maxUnavailable ?? '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
  };
}

export function replicaSet(name: string, replicas: number, o: { available?: number; created?: string; revision?: string; maxReplicas?: string; image?: string } = {}): ReplicaSet {
  const ann: Record<string, string> = {};
  if (o.revision) ann['deployment.kubernetes.io/revision'] = o.revision;
  if (o.maxReplicas) ann['deployment.kubernetes.io/max-replicas'] = o.maxReplicas;
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: o.created ?? '2026-01-01T00:00:00Z', annotations: ann },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', 'pod-template-hash': name } }, spec: { containers: [{ name: 'c', image: o.image ?? 'busybox' }] } },
    },
    status: { replicas, availableReplicas: o.available ?? replicas },
  };
}

export function node(name: string, o: { ready?: boolean; unschedulable?: boolean; labels?: Record<string, string>; taints?: unknown[] } = {}): Node {
  return {
    metadata: { name, labels: o.labels ?? {} },
    spec: { unschedulable: o.unschedulable, taints: o.taints },
    status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}
