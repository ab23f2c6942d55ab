// Services and pods for the endpoint controllers' table tests.
import type { Pod, Service, ServicePort } from '../../../src/api/core.js';

export function svc(name: string, opts: { ports?: ServicePort[]; selector?: Record<string, string>; publishNotReadyAddresses?: boolean; clusterIP?: string; labels?: Record<string, string> } = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: '2026-11-27T10:00:00Z', ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: {
      selector: opts.selector ?? { app: name },
      ports: opts.ports ?? [{ name: 'http', port: 80, targetPort: 9376, protocol: 'TCP' }],
      clusterIP: opts.clusterIP ?? '127.96.0.10',
      ipFamilies: ['IPv4'],
      ...(opts.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
    },
  };
}

export interface PodOpts {
  ip?: string;
  ready?: boolean;
  node?: string;
  deleting?: boolean;
  phase?: 'Running' | 'Succeeded' | 'Failed' | 'Pending';
  ports?: { name: string; containerPort: number; protocol?: 'TCP' | 'UDP' }[];
  hostname?: string;
  subdomain?: string;
  labels?: Record<string, string>;
  readySince?: string;
}

export function pod(name: string, app: string, o: PodOpts = {}): Pod {
  const ip = o.ip === undefined ? undefined : o.ip;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      labels: o.labels ?? { app },
      ...(o.deleting ? { deletionTimestamp: '2026-11-27T10:05:00Z' } : {}),
    },
    spec: {
      containers: [{ name: 'c', ports: o.ports?.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })) }],
      ...(o.node ? { nodeName: o.node } : {}),
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', ...(o.readySince ? { lastTransitionTime: o.readySince } : {}) }],
    },
  };
}

/** n ready pods app=<app> with IPs 10.0.<i/250>.<i%250+1>. */
export function pods(app: string, n: number, from = 0): Pod[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return pod(`${app}-${String(i).padStart(4, '0')}`, app, { ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` });
  });
}
