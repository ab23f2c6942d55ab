// The node's heartbeat: a Lease named after the node in kube-node-lease, renewed every 10 s with a
// 40 s duration, owned by the Node so it goes when the Node does (as the kubelet's lease controller).
import { microTime, type KubeObject } from '../api/meta.js';
import type { Node } from '../api/core.js';
import type { Client } from '../client/client.js';
import { R } from '../client/resources.js';
import { isNotFound, isStatusError } from '../machinery/status.js';

export const leaseNamespace = 'kube-node-lease';
export const leaseDurationSeconds = 40;

export { microTime } from '../api/meta.js';

export interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; acquireTime?: string; leaseTransitions?: number };
}

export async function renewLease(client: Client, nodeName: string, node: Node | undefined): Promise<Lease> {
  const renewTime = microTime();
  let current: Lease | undefined;
  try {
    current = await client.get<Lease>(R.leases, leaseNamespace, nodeName);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  const owner = node?.metadata.uid
    ? [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid }]
    : undefined;
  if (!current) {
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: nodeName, namespace: leaseNamespace, ...(owner ? { ownerReferences: owner } : {}) },
      spec: { holderIdentity: nodeName, leaseDurationSeconds, renewTime },
    };
    try {
      return await client.create(R.leases, leaseNamespace, lease);
    } catch (e) {
      // Another writer (an earlier run of this agent) created it meanwhile: renew that one.
      if (!(isStatusError(e) && e.code === 409)) throw e;
      current = await client.get<Lease>(R.leases, leaseNamespace, nodeName);
    }
  }
  const next: Lease = {
    ...current,
    metadata: { ...current.metadata, ...(owner && !current.metadata.ownerReferences?.length ? { ownerReferences: owner } : {}) },
    spec: { ...(current.spec ?? {}), holderIdentity: nodeName, leaseDurationSeconds, renewTime },
  };
  return client.update(R.leases, leaseNamespace, next);
}
