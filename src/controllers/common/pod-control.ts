// Creating and deleting a controller's pods (upstream's PodControl as ReplicaSets and Jobs use it):
// every create and delete is expected first, so the informer's echo is recognised; creates go in
// slow-start batches (1, 2, 4, ...) and stop at the first failing batch; a namespace being
// terminated is no failure, nor is a pod already gone; each outcome is an event on the owner.
import type { Pod } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import type { Client } from '../../client/client.js';
import { R } from '../../client/resources.js';
import { isNamespaceTerminating, isNotFound } from './errors.js';
import type { ControllerExpectations } from './expectations.js';
import { podKey } from './pod-util.js';
import type { Recorder } from './recorder.js';

export async function deleteOwnedPods(
  client: Client,
  recorder: Recorder,
  expectations: ControllerExpectations,
  key: string,
  owner: KubeObject,
  pods: Pod[],
): Promise<Error | undefined> {
  expectations.expectDeletions(key, pods.map(podKey));
  return deleteExpectedPods({ client, recorder, expectations, key, owner }, pods);
}

/** Whose pods are created or deleted, and who is told. */
export interface PodOwner {
  client: Client;
  recorder: Recorder;
  expectations: ControllerExpectations;
  key: string;
  owner: KubeObject;
}

/** deleteOwnedPods for a caller that has already set its expectations (the DaemonSet controller sets creations and deletions at once). */
export async function deleteExpectedPods({ client, recorder, expectations, key, owner }: PodOwner, pods: Pod[]): Promise<Error | undefined> {
  const results = await Promise.allSettled(
    pods.map(async (p) => {
      try {
        await client.delete(R.pods, p.metadata.namespace, p.metadata.name ?? '');
        recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
      } catch (e) {
        expectations.deletionObserved(key, podKey(p));
        if (isNotFound(e)) return;
        recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
        throw e;
      }
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  return failed ? (failed.reason as Error) : undefined;
}

/** Creates `count` pods, `podFor(i)` giving the i-th; resolves with the first failure, if any. */
export async function createOwnedPods(
  client: Client,
  recorder: Recorder,
  expectations: ControllerExpectations,
  key: string,
  owner: KubeObject,
  count: number,
  podFor: (i: number) => Pod,
): Promise<Error | undefined> {
  // Expect them all before the first create, so events racing with us are counted.
  expectations.expectCreations(key, count);
  return createExpectedPods({ client, recorder, expectations, key, owner }, count, podFor);
}

/** createOwnedPods for a caller that has already set its expectations. */
export async function createExpectedPods({ client, recorder, expectations, key, owner }: PodOwner, count: number, podFor: (i: number) => Pod): Promise<Error | undefined> {
  let next = 0;
  const { successes, error } = await slowStartBatch(count, 1, async () => {
    try {
      const pod = await client.create<Pod>(R.pods, owner.metadata.namespace, podFor(next++));
      recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
    } catch (e) {
      if (isNamespaceTerminating(e)) return;
      recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
      throw e;
    }
  });
  // Creates never attempted (or failed) will not be observed: stop expecting them.
  for (let i = successes; i < count; i++) expectations.creationObserved(key);
  return error;
}

/** slowStartBatch: calls fn in batches of 1, 2, 4, ... and stops after the first batch with an error, so a quota or admission failure costs one call, not hundreds. */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<{ successes: number; error?: Error }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length) return { successes, error: failed[0]!.reason as Error };
    remaining -= batch;
  }
  return { successes };
}
