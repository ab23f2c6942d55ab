// Status writes through the status subresource: read the current object, put our status on it,
// and write it conditionally on the resourceVersion read (nodes require one), retrying lost races,
// as the kubelet's status manager does with its get-then-patch.
import type { KubeObject } from '../api/meta.js';
import type { Client, ResourceRef } from '../client/client.js';
import { isConflict, isNotFound } from '../machinery/status.js';

/** Resolves with the written object, or undefined when it is gone. */
export async function writeStatus<T extends KubeObject>(
  client: Client,
  res: ResourceRef,
  namespace: string | undefined,
  name: string,
  status: (current: T) => unknown,
  attempts = 5,
): Promise<T | undefined> {
  for (let i = 0; ; i++) {
    let current: T;
    try {
      current = await client.get<T>(res, namespace, name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    try {
      return await client.update<T>(res, namespace, { ...current, status: status(current) }, { subresource: 'status' });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      if (isConflict(e) && i + 1 < attempts) continue;
      throw e;
    }
  }
}
