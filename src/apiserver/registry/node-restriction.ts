// Upstream's NodeRestriction admission plugin: a kubelet (user system:node:<name> in system:nodes)
// may change only its own Node and node Lease, create only mirror pods bound to itself, and
// update the status of, evict or delete only pods bound to it. The Node authorizer decides which
// kinds a node may touch at all; this decides which objects. Messages are upstream's.
import type { KubeObject } from '../../api/meta.js';
import type { Pod } from '../../api/core.js';
import { errors, type StatusError } from '../../machinery/status.js';
import { nodeUserPrefix, nodesGroup } from '../auth/component-identity.js';

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

/** The node a user is, or undefined for anyone else (upstream's NodeIdentifier). */
export function nodeNameOf(user: { name: string; groups: string[] } | undefined): string | undefined {
  if (!user || !user.groups.includes(nodesGroup) || !user.name.startsWith(nodeUserPrefix)) return undefined;
  return user.name.slice(nodeUserPrefix.length);
}

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
    case 'nodes':
      if (a.name !== node) throw forbid(`node "${node}" is not allowed to modify node "${a.name}"`);
      return;
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

