// A container's root filesystem over its image's shared, read-only one: an overlay mount (lower =
// the image rootfs, upper and work per container) where the kernel lets this process mount one,
// else a copy of the image (slower, more disk; said once in the log). Both live in the bundle.
import { execFile } from 'node:child_process';
import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { logger } from '../../../util/log.js';

const run = promisify(execFile);
const log = logger('crun');

export type RootfsKind = 'overlay' | 'copy';

let overlayRefused: string | undefined;

/** A path as an overlay mount option value: `:` separates lower layers and `,` options. */
export function overlayPath(path: string): string {
  return path.replace(/[\\:,]/g, (c) => `\\${c}`);
}

/** Makes `bundle/rootfs` from `image`; says which kind it became. */
export async function prepareRootfs(bundle: string, image: string): Promise<RootfsKind> {
  const target = join(bundle, 'rootfs');
  await mkdir(target, { recursive: true });
  if (overlayRefused === undefined) {
    const upper = join(bundle, 'upper');
    const work = join(bundle, 'work');
    await mkdir(upper, { recursive: true });
    await mkdir(work, { recursive: true });
    try {
      await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${overlayPath(image)},upperdir=${overlayPath(upper)},workdir=${overlayPath(work)}`, target]);
      return 'overlay';
    } catch (e) {
      overlayRefused = ((e as { stderr?: string }).stderr || (e as Error).message).trim();
      log.warn(`overlayfs cannot be mounted here (${overlayRefused}): containers get a copy of their image's root filesystem`);
    }
  }
  await cp(image, target, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  return 'copy';
}

/** Unmounts (if it is an overlay) and removes a bundle; absent parts are fine. */
export async function removeBundle(bundle: string): Promise<void> {
  const target = join(bundle, 'rootfs');
  try {
    await run('umount', [target]);
  } catch {
    // Not mounted (a copy, or unmounted before); a busy mount is detached instead of kept.
    await run('umount', ['-l', target]).catch(() => undefined);
  }
  await rm(bundle, { recursive: true, force: true });
}
