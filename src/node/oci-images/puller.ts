// The node agent's ImagePuller for OCI images (the kubelet's image manager in front of
// containerd's image service): pull policy, imagePullSecrets, one pull at a time per reference
// whoever asks, and the Pulled event's wording.
import { formatGoDuration } from '../images/lib/gofmt.js';
import {
  ImageNeverPullError,
  ImagePullError,
  type ImagePuller,
  type PulledImage,
  type PullProgress,
  type PullRequest,
} from '../runtime/image-puller.js';
import { ImageStore } from './image-store.js';
import { lookupCredentials } from './keyring.js';
import type { Platform } from './media-types.js';
import { nodePlatform } from './platform.js';
import { pull, type PullOutcome } from './pull.js';
import { TokenCache, type Fetch, type RegistryCredential } from './registry-auth.js';
import { RegistryClient } from './registry-client.js';
import type { RegistryHostOptions } from './registry-hosts.js';
import { canonicalReference, fullName, InvalidReferenceError, parseReference, type ImageReference } from './reference.js';

export interface OciImagePullerOptions extends RegistryHostOptions {
  /** The image store's directory: `DATA/images`. */
  dir: string;
  /** Defaults to this machine's (linux and Node's architecture). */
  platform?: Platform;
  /** For tests that count or break requests. */
  fetch?: Fetch;
}

interface PullDone {
  outcome: PullOutcome;
  /** How long the pull itself took, without waiting for another caller's pull of the same image. */
  pullMs: number;
}

export class OciImagePuller implements ImagePuller {
  private readonly store: ImageStore;
  private readonly ready: Promise<void>;
  private readonly tokens = new TokenCache();
  private readonly authorizations = new Map<string, string>();
  private readonly platform: Platform;
  private readonly inflight = new Map<string, Promise<PullDone>>();

  constructor(private readonly opts: OciImagePullerOptions) {
    this.store = new ImageStore(opts.dir);
    this.ready = this.store.init();
    this.platform = opts.platform ?? nodePlatform();
  }

  async ensure(req: PullRequest, progress?: (p: PullProgress) => void): Promise<PulledImage> {
    await this.ready.catch((err: Error) => {
      throw new ImagePullError(`image store ${this.opts.dir}: ${err.message}`);
    });
    let ref: ImageReference;
    try {
      ref = parseReference(req.image);
    } catch (err) {
      if (err instanceof InvalidReferenceError) throw new ImagePullError(err.message);
      throw err;
    }
    const key = canonicalReference(ref);
    if (req.pullPolicy !== 'Always') {
      const present = await this.present(key);
      if (present) {
        progress?.({ type: 'AlreadyPresent', image: req.image });
        return present;
      }
      if (req.pullPolicy === 'Never') {
        throw new ImageNeverPullError(`Container image "${req.image}" is not present with pull policy of Never`);
      }
    }
    progress?.({ type: 'Pulling', image: req.image });
    const started = performance.now();
    const done = await this.pullOnce(key, ref, req);
    const waitedMs = performance.now() - started;
    const message =
      `Successfully pulled image "${req.image}" in ${goMillis(done.pullMs)} (${goMillis(waitedMs)} including waiting). ` +
      `Image size: ${done.outcome.record.size} bytes.`;
    progress?.({ type: 'Pulled', image: req.image, message });
    return pulledImage(done.outcome.record.name, done.outcome);
  }

  /** The image as stored, when its record, config and rootfs are all there. */
  private async present(key: string): Promise<PulledImage | undefined> {
    const rec = this.store.getRef(key);
    if (!rec || !(await this.store.hasRootfs(rec.config))) return undefined;
    try {
      const blob = JSON.parse((await this.store.readBlob(rec.config)).toString('utf8')) as { config?: PulledImage['config'] };
      return pulledImage(rec.name, {
        record: rec,
        rootfs: this.store.rootfsPath(rec.config),
        config: blob.config && typeof blob.config === 'object' ? blob.config : {},
      });
    } catch {
      return undefined; // a damaged config: pull again
    }
  }

  private pullOnce(key: string, ref: ImageReference, req: PullRequest): Promise<PullDone> {
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.pullWithCredentials(key, ref, req).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  /** Each matching credential in turn, as the kubelet does, then the errors of all of them. */
  private async pullWithCredentials(key: string, ref: ImageReference, req: PullRequest): Promise<PullDone> {
    const creds: (RegistryCredential | undefined)[] = lookupCredentials(req.pullSecrets ?? [], fullName(ref));
    if (creds.length === 0) creds.push(undefined);
    const errors: string[] = [];
    for (const credential of creds) {
      const started = performance.now();
      try {
        const client = new RegistryClient(ref, {
          credential,
          tokens: this.tokens,
          authorizations: this.authorizations,
          hosts: this.opts,
          fetch: this.opts.fetch,
        });
        const outcome = await pull(ref, client, this.store, this.platform);
        // Also by digest, as containerd records an image's repo digest: "name@sha256:…" is then present.
        await this.store.setRefs([key, `${outcome.record.name}@${outcome.record.digest}`], outcome.record);
        return { outcome, pullMs: performance.now() - started };
      } catch (err) {
        errors.push(`failed to pull and unpack image "${key}": ${(err as Error).message}`);
      }
    }
    // utilerrors.NewAggregate's text: one error as is, several in brackets.
    throw new ImagePullError(errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`);
  }
}

function pulledImage(name: string, o: PullOutcome): PulledImage {
  // Callers sharing one pull each get their own config to merge with their container.
  return { imageID: `${name}@${o.record.digest}`, rootfs: o.rootfs, config: structuredClone(o.config) };
}

/** The kubelet truncates pull durations to milliseconds before printing them Go's way. */
function goMillis(ms: number): string {
  return formatGoDuration(Math.floor(ms) * 1e6);
}
