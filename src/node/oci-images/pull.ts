// One pull of one reference with one credential, as containerd's pull-and-unpack: resolve the
// reference to a manifest (through an index when there is one, picking this platform's), store
// the manifest, config and every layer by digest, then build the image's rootfs from its layers,
// each checked against the config's diff_ids once uncompressed.
import { pipeline } from 'node:stream/promises';
import type { OciImageConfig } from '../runtime/image-puller.js';
import { DIGEST_RE, VerifyingStream } from './digest.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import { openLayer } from './layer-decompress.js';
import {
  DOCKER_SCHEMA1,
  isIndex,
  isLayer,
  isManifest,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type Platform,
} from './media-types.js';
import { formatPlatform, selectManifest } from './platform.js';
import type { RegistryClient } from './registry-client.js';
import { fullName, type ImageReference } from './reference.js';
import { applyLayer } from './unpack-layer.js';

/** Layers fetched at once, as containerd's default max concurrent downloads (3). */
const LAYER_DOWNLOADS = 3;

export class PullStepError extends Error {}

interface ImageConfigBlob {
  config?: OciImageConfig;
  rootfs?: { type?: string; diff_ids?: string[] };
}

export interface PullOutcome {
  record: ImageRecord;
  rootfs: string;
  config: OciImageConfig;
}

function parseJSON<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new PullStepError(`${what} is not valid JSON`);
  }
}

function checkDescriptor(d: unknown, what: string): Descriptor {
  const desc = d as Partial<Descriptor> | null;
  if (!desc || typeof desc !== 'object') throw new PullStepError(`${what}: not a descriptor`);
  if (typeof desc.digest !== 'string' || !DIGEST_RE.test(desc.digest)) {
    throw new PullStepError(`${what}: unsupported digest ${JSON.stringify(desc.digest)}`);
  }
  if (typeof desc.size !== 'number' || !Number.isSafeInteger(desc.size) || desc.size < 0) {
    throw new PullStepError(`${what}: invalid size ${JSON.stringify(desc.size)}`);
  }
  if (typeof desc.mediaType !== 'string') throw new PullStepError(`${what}: no mediaType`);
  return desc as Descriptor;
}

async function resolveManifest(
  ref: ImageReference,
  client: RegistryClient,
  store: ImageStore,
  platform: Platform,
): Promise<{ top: string; manifest: ImageManifest; manifestDigest: string; manifestSize: number }> {
  const name = ref.digest ? `${fullName(ref)}@${ref.digest}` : `${fullName(ref)}:${ref.tag}`;
  let fetched;
  try {
    fetched = await client.getManifest(ref.digest ?? ref.tag!);
  } catch (err) {
    throw new PullStepError(`failed to resolve reference "${name}": ${(err as Error).message}`);
  }
  await store.putBlob(fetched.digest, fetched.bytes);
  const top = fetched.digest;
  if (isIndex(fetched.mediaType)) {
    const index = parseJSON<ImageIndex>(fetched.bytes, 'image index');
    if (!Array.isArray(index.manifests)) throw new PullStepError('image index without manifests');
    const chosen = selectManifest(
      index.manifests.map((m, i) => checkDescriptor(m, `manifests[${i}]`)),
      platform,
    );
    if (!chosen) throw new PullStepError(`no match for platform in manifest: not found (this node is ${formatPlatform(platform)})`);
    fetched = await client.getManifest(chosen.digest);
    await store.putBlob(fetched.digest, fetched.bytes);
  }
  if (DOCKER_SCHEMA1.includes(fetched.mediaType)) {
    throw new PullStepError(`Docker Image Format v1 and Docker Image manifest version 2, schema 1 are not supported; push "${name}" again with a current builder`);
  }
  if (!isManifest(fetched.mediaType)) throw new PullStepError(`unsupported manifest media type ${fetched.mediaType}`);
  const manifest = parseJSON<ImageManifest>(fetched.bytes, 'image manifest');
  checkDescriptor(manifest.config, 'config');
  if (!Array.isArray(manifest.layers)) throw new PullStepError('image manifest without layers');
  manifest.layers.forEach((l, i) => {
    checkDescriptor(l, `layers[${i}]`);
    if (!isLayer(l.mediaType)) throw new PullStepError(`layers[${i}]: unsupported media type ${l.mediaType}`);
  });
  return { top, manifest, manifestDigest: fetched.digest, manifestSize: fetched.bytes.length };
}

/**
 * Runs `work` on every item, `n` at a time. After a failure no new item starts, and the failure is
 * reported once the running ones have settled: a failed pull leaves no download still writing.
 */
async function inBatches<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  let failure: { err: unknown } | undefined;
  const workers = Array.from({ length: Math.min(n, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined && !failure; item = queue.shift()) {
      try {
        await work(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  });
  await Promise.all(workers);
  if (failure) throw failure.err;
}

export async function pull(ref: ImageReference, client: RegistryClient, store: ImageStore, platform: Platform): Promise<PullOutcome> {
  const { top, manifest, manifestDigest, manifestSize } = await resolveManifest(ref, client, store, platform);
  const copy = async (d: Descriptor) => {
    try {
      await store.fetchBlob(d.digest, d.size, () => client.openBlob(d.digest));
    } catch (err) {
      throw new PullStepError(`failed to copy: ${(err as Error).message}`);
    }
  };
  await copy(manifest.config);
  const configBlob = parseJSON<ImageConfigBlob>(await store.readBlob(manifest.config.digest), 'image config');
  const diffIDs = configBlob.rootfs?.diff_ids ?? [];
  if (!Array.isArray(diffIDs) || diffIDs.length !== manifest.layers.length || !diffIDs.every((d) => typeof d === 'string' && DIGEST_RE.test(d))) {
    throw new PullStepError(`image config has ${Array.isArray(diffIDs) ? diffIDs.length : 0} diff_ids for ${manifest.layers.length} layers`);
  }
  await inBatches(manifest.layers, LAYER_DOWNLOADS, copy);
  const rootfs = await store.ensureRootfs(manifest.config.digest, async (dir) => {
    for (const [i, layer] of manifest.layers.entries()) {
      try {
        const tar = await openLayer(store.blobPath(layer.digest), layer.digest);
        // The tar reaches applyLayer through the diff_id check, which fails the stream on a mismatch
        // (and a decompression error fails it too: pipeline destroys `checked` with it).
        const checked = new VerifyingStream(diffIDs[i]!, undefined);
        await Promise.all([pipeline(tar, checked), applyLayer(dir, checked)]);
      } catch (err) {
        throw new PullStepError(`failed to extract layer ${diffIDs[i]}: ${(err as Error).message}`);
      }
    }
  });
  const size = manifestSize + manifest.config.size + manifest.layers.reduce((n, l) => n + l.size, 0);
  const config = configBlob.config && typeof configBlob.config === 'object' ? configBlob.config : {};
  return { record: { name: fullName(ref), digest: top, manifest: manifestDigest, config: manifest.config.digest, size }, rootfs, config };
}
