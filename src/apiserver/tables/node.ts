// Nodes: NAME STATUS ROLES AGE VERSION, wide INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME.
import type { Node } from '../../api/core.js';
import { since } from './duration.js';
import { ageCol, col, nameCol, type Printer } from './types.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** STATUS: Ready / NotReady / Unknown from the Ready condition, plus SchedulingDisabled when cordoned. */
export function nodeStatus(node: Node): string {
  const parts: string[] = [];
  // Upstream keeps the last condition of a type when a status repeats one.
  const ready = [...(node.status?.conditions ?? [])].reverse().find((c) => c.type === 'Ready');
  if (ready) parts.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else parts.push('Unknown');
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** ROLES from node-role.kubernetes.io/<role> labels and the older kubernetes.io/role=<role>, sorted. */
export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role.length > 0) roles.add(role);
    } else if (k === ROLE_LABEL && v !== '') {
      roles.add(v);
    }
  }
  const list = [...roles].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return list.length > 0 ? list.join(',') : '<none>';
}

function address(node: Node, type: 'InternalIP' | 'ExternalIP'): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}

export const nodePrinter: Printer<Node> = {
  columns: [
    nameCol(),
    col('Status', 'string', 'Whether the node is ready, and whether it takes new Pods.'),
    col('Roles', 'string', 'Roles named by the node\'s role labels.'),
    ageCol(),
    col('Version', 'string', 'The kubelet version the node reports.'),
    col('Internal-IP', 'string', 'The node\'s first InternalIP address.', 1),
    col('External-IP', 'string', 'The node\'s first ExternalIP address.', 1),
    col('OS-Image', 'string', 'The operating system the node runs.', 1),
    col('Kernel-Version', 'string', 'The node\'s kernel version.', 1),
    col('Container-Runtime', 'string', 'The container runtime and its version.', 1),
  ],
  cells(node, now) {
    const info = node.status?.nodeInfo ?? {};
    return [
      node.metadata.name ?? '',
      nodeStatus(node),
      nodeRoles(node),
      since(node.metadata.creationTimestamp, now),
      info.kubeletVersion ?? '',
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};
