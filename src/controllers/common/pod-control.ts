// Deleting a controller's pods (upstream's PodControl.DeletePod as ReplicaSets and Jobs use it):
// every delete is expected first, so the informer's echo is recognised; a pod already gone counts
// as deleted; each outcome is an event on the owner; the first failure is returned.
import type { Pod } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import type { Client } from '../../client/client.js';
import { R } from '../../client/resources.js';
import { isNotFound } from './errors.js';
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
