// The pull stage of starting a container, as the kubelet's image manager (EnsureImageExists):
// events Pulling / Pulled / Failed / BackOff in its words, waiting reasons ErrImagePull then
// ImagePullBackOff under a per pod+image back-off (10 s doubling to 300 s), ErrImageNeverPull for
// pullPolicy Never with the image absent.
import type { Container, Pod } from '../api/core.js';
import { imageTag } from '../api/defaults/image.js';
import type { CrashBackoff } from './backoff.js';
import { ImageNeverPullError, type DockerConfigAuths, type ImagePuller, type PulledImage } from './runtime/image-puller.js';

export interface PullContext {
  pod: Pod;
  container: Container;
  puller: ImagePuller | undefined;
  backoff: CrashBackoff;
  pullSecrets(): Promise<DockerConfigAuths[]>;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export type PullOutcome =
  | { pulled: PulledImage }
  /** The container waits with this reason; `retryMs` says when to sync again (absent: on the next update). */
  | { waiting: { reason: string; message: string }; retryMs?: number };

/** The key of the back-off: one per pod and image, as the kubelet's. */
function backoffKey(pod: Pod, image: string): string {
  return `${pod.metadata.uid}/image/${image}`;
}

/** How soon after a failed pull the status moves on from ErrImagePull to ImagePullBackOff. */
const backoffStatusMs = 1000;

export async function ensureImage(ctx: PullContext): Promise<PullOutcome> {
  const image = ctx.container.image ?? '';
  if (!ctx.puller) {
    const message = `kubesvc was started without image pulling, so image "${image}" cannot be pulled`;
    return { waiting: { reason: 'ErrImagePull', message } };
  }
  const key = backoffKey(ctx.pod, image);
  const left = ctx.backoff.remainingSinceUpdateMs(key);
  if (left > 0) {
    const message = `Back-off pulling image "${image}"`;
    ctx.event('Normal', 'BackOff', message);
    ctx.event('Warning', 'Failed', 'Error: ImagePullBackOff');
    return { waiting: { reason: 'ImagePullBackOff', message }, retryMs: left };
  }
  // The API server defaults it; a pod from elsewhere (tests) gets the same default here.
  const pullPolicy = ctx.container.imagePullPolicy ?? (imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent');
  try {
    const pulled = await ctx.puller.ensure({ image, pullPolicy, pullSecrets: await ctx.pullSecrets() }, (p) => {
      if (p.type === 'Pulling') ctx.event('Normal', 'Pulling', `Pulling image "${image}"`);
      else if (p.type === 'Pulled') ctx.event('Normal', 'Pulled', p.message);
      else ctx.event('Normal', 'Pulled', `Container image "${image}" already present on machine`);
    });
    return { pulled };
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    if (e instanceof ImageNeverPullError) {
      const message = text || `Container image "${image}" is not present with pull policy of Never`;
      ctx.event('Warning', 'ErrImageNeverPull', message);
      ctx.event('Warning', 'Failed', 'Error: ErrImageNeverPull');
      return { waiting: { reason: 'ErrImageNeverPull', message } };
    }
    ctx.backoff.next(key);
    ctx.event('Warning', 'Failed', `Failed to pull image "${image}": ${text}`);
    ctx.event('Warning', 'Failed', 'Error: ErrImagePull');
    return { waiting: { reason: 'ErrImagePull', message: `failed to pull and unpack image "${image}": ${text}` }, retryMs: backoffStatusMs };
  }
}
