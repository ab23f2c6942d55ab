// Services: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, wide SELECTOR.
import type { Service, ServicePort } from '../../api/core.js';
import { since } from './duration.js';
import { formatLabels } from './labels.js';
import { ageCol, col, nameCol, type Printer } from './types.js';

/** Load-balancer ingress addresses (IP, else hostname), de-duplicated and sorted as a Go string set lists them. */
function ingressAddresses(svc: Service): string[] {
  const set = new Set<string>();
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * EXTERNAL-IP. The server prints wide, so upstream's 16-character clipping of ingress addresses never
 * applies to a server-side table.
 */
export function serviceExternalIP(svc: Service): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = ingressAddresses(svc);
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** `80/TCP`, or `80:30080/TCP` when a node port is allocated; comma-joined, `<none>` without ports. */
export function servicePorts(ports: ServicePort[] | undefined): string {
  const pieces = (ports ?? []).map((p) => {
    const proto = p.protocol ?? 'TCP';
    return p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${proto}` : `${p.port}/${proto}`;
  });
  return pieces.length > 0 ? pieces.join(',') : '<none>';
}

/** CLUSTER-IP: the primary family's address, `<none>` when unset; "None" for headless Services. */
function clusterIP(svc: Service): string {
  const ips = svc.spec?.clusterIPs;
  if (ips && ips.length > 0) return ips[0] as string;
  // Stored Services always carry clusterIPs; fall back to the singular field for objects that skipped defaulting.
  return svc.spec?.clusterIP ? svc.spec.clusterIP : '<none>';
}

export const servicePrinter: Printer<Service> = {
  columns: [
    nameCol(),
    col('Type', 'string', 'How the Service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    col('Cluster-IP', 'string', 'The virtual IP allocated to the Service inside the cluster.'),
    col('External-IP', 'string', 'Addresses the Service is reachable on from outside the cluster.'),
    col('Port(s)', 'string', 'Ports the Service exposes, with node ports where allocated.'),
    ageCol(),
    col('Selector', 'string', 'Labels that pick the Pods behind the Service.', 1),
  ],
  cells(svc, now) {
    return [
      svc.metadata.name ?? '',
      svc.spec?.type ?? 'ClusterIP',
      clusterIP(svc),
      serviceExternalIP(svc),
      servicePorts(svc.spec?.ports),
      since(svc.metadata.creationTimestamp, now),
      formatLabels(svc.spec?.selector),
    ];
  },
};
