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

/**
 * Upstream's lease controller retries a failed renewal at once (up to 5 tries) instead of waiting a
 * whole renew interval: a renewal lost to an API server going away mid-request (the client fails
 * over to another on the next request) must not leave the node without a heartbeat for 20 s, past
 * a short --node-monitor-grace-period. Here the tries are 200 ms, 400 ms, 800 ms, 1.6 s apart.
 */
export async function renewLeaseRetrying(
  client: Client,
  nodeName: string,
  node: () => Node | undefined,
  opts: { attempts?: number; firstDelayMs?: number; stopped?: () => boolean; sleep?: (ms: number) => Promise<void> } = {},
): Promise<Lease> {
  const attempts = opts.attempts ?? 5;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
  for (let attempt = 1; ; attempt++) {
    try {
      return await renewLease(client, nodeName, node());
    } catch (e) {
      if (attempt >= attempts || opts.stopped?.()) throw e;
      await sleep((opts.firstDelayMs ?? 200) * 2 ** (attempt - 1));
    }
  }
}
