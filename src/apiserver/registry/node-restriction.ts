// Upstream's NodeRestriction admission plugin: a kubelet (user system:node:<name> in system:nodes)
// may change only its own Node (not its taints, nor labels in the kubernetes.io and k8s.io
// namespaces beyond the kubelet's own) and node Lease, create only mirror pods bound to itself, and
// update the status of, evict or delete only pods bound to it. The Node authorizer decides which
// kinds a node may touch at all; this decides which objects. Messages are upstream's.
import type { KubeObject } from '../../api/meta.js';
import type { Pod } from '../../api/core.js';
import { errors, type StatusError } from '../../machinery/status.js';
import { nodeNameOf } from '../auth/component-identity.js';

export type Operation = 'create' | 'update' | 'delete';

export interface NodeAdmissionRequest {
  user: { name: string; groups: string[] } | undefined;
  operation: Operation;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  /** The object's name (on create, the posted object's). */
  name: string;
  /** The posted object (create, update). */
  object?: KubeObject | undefined;
  /** The stored object (update, delete, and subresource creates such as eviction). */
  existing?: KubeObject | undefined;
}

const mirrorPodAnnotation = 'kubernetes.io/config.mirror';
const nodeLeaseNamespace = 'kube-node-lease';

/** Throws upstream's 403 when a node asks for what NodeRestriction refuses; anyone else passes. */
export function admitNodeRequest(a: NodeAdmissionRequest): void {
  const node = nodeNameOf(a.user);
  if (node === undefined || (a.group !== '' && a.group !== 'coordination.k8s.io')) return;
  // As upstream's admission.NewForbidden: the resource without its subresource, the object's name.
  const forbid = (msg: string): StatusError => errors.forbidden({ group: a.group, resource: a.resource }, a.name, msg);
  const boundTo = (o: KubeObject | undefined) => (o as Pod | undefined)?.spec?.nodeName;
  if (node === '') throw forbid(`could not determine node from user "${a.user!.name}"`);
  if (a.group === 'coordination.k8s.io') {
    if (a.resource !== 'leases') return;
    if (a.namespace !== nodeLeaseNamespace) throw forbid(`can only access leases in the "${nodeLeaseNamespace}" system namespace`);
    if (a.name !== node) throw forbid('can only access node lease with the same name as the requesting node');
    return;
  }
  switch (a.resource) {
    case 'nodes': {
      if (a.name !== node) throw forbid(`node "${node}" is not allowed to modify node "${a.name}"`);
      const labels = (o: KubeObject | undefined) => o?.metadata?.labels ?? {};
      if (a.operation === 'create') {
        const forbidden = forbiddenLabels(Object.keys(labels(a.object)));
        if (forbidden.length) throw forbid(`node "${node}" is not allowed to set the following labels: ${forbidden.join(', ')}`);
        return;
      }
      if (a.operation !== 'update' || !a.object || !a.existing || a.subresource) return;
      const taints = (o: KubeObject) => JSON.stringify((o as { spec?: { taints?: unknown[] } }).spec?.taints ?? []);
      if (taints(a.object) !== taints(a.existing)) throw forbid(`node "${node}" is not allowed to modify taints`);
      const before = labels(a.existing);
      const after = labels(a.object);
      const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]);
      const forbidden = forbiddenLabels(changed);
      if (forbidden.length) throw forbid(`node "${node}" is not allowed to modify labels: ${forbidden.join(', ')}`);
      return;
    }
    case 'pods':
      if (a.subresource === 'status') {
        if (a.operation === 'update' && boundTo(a.existing) !== node) {
          throw forbid(`node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
        }
        return;
      }
      if (a.subresource === 'eviction') {
        if (boundTo(a.existing) !== node) throw forbid(`node "${node}" can only evict pods with spec.nodeName set to itself`);
        return;
      }
      if (a.subresource !== '') return;
      if (a.operation === 'create') {
        if (a.object?.metadata?.annotations?.[mirrorPodAnnotation] === undefined) {
          throw forbid(`pod does not have "${mirrorPodAnnotation}" annotation, node "${node}" can only create mirror pods`);
        }
        if (boundTo(a.object) !== node) throw forbid(`node "${node}" can only create pods with spec.nodeName set to itself`);
        return;
      }
      if (a.operation === 'delete') {
        if (a.existing && boundTo(a.existing) !== node) throw forbid(`node "${node}" can only delete pods with spec.nodeName set to itself`);
        return;
      }
      throw forbid(`unexpected operation "UPDATE", node "${node}" can only create and delete mirror pods`);
    default:
      return;
  }
}


/** The labels a kubelet may set on its Node (upstream's kubeletapis well-known labels), and the prefixes it may use. */
const kubeletLabels = new Set([
  'kubernetes.io/hostname',
  'kubernetes.io/arch',
  'kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'failure-domain.beta.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'topology.kubernetes.io/zone',
]);
const kubeletLabelNamespaces = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

/** Labels in the kubernetes.io / k8s.io namespaces a kubelet may not set, and node-restriction.kubernetes.io always; sorted. */
function forbiddenLabels(keys: string[]): string[] {
  return keys
    .filter((key) => {
      const slash = key.indexOf('/');
      if (slash < 0) return false;
      const ns = key.slice(0, slash);
      if (ns === 'node-restriction.kubernetes.io' || ns.endsWith('.node-restriction.kubernetes.io')) return true;
      const reserved = ['kubernetes.io', 'k8s.io'].some((d) => ns === d || ns.endsWith(`.${d}`));
      if (!reserved || kubeletLabels.has(key)) return false;
      return !kubeletLabelNamespaces.some((d) => ns === d || ns.endsWith(`.${d}`));
    })
    .sort();
}
