// A one-file OCI image for tests, with no registry and no internet: a root filesystem made of
// Debian's static busybox (busybox-static) and a symlink per applet, plus /etc/passwd and
// /etc/group, and a test ImagePuller that "pulls" it (the fake sits at the ImagePuller boundary;
// everything behind it — crun, bundles, overlay — is real).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ImageNeverPullError,
  ImagePullError,
  type ImagePuller,
  type OciImageConfig,
  type PullProgress,
  type PullRequest,
  type PulledImage,
} from '../../../src/node/runtime/image-puller.js';

export const busybox = '/bin/busybox';
export const crunAvailable = existsSync('/usr/bin/crun') && existsSync(busybox) && process.getuid?.() === 0;

/**
 * Builds the rootfs in `at` (kept if it is there already), else in a fresh temp dir; read-only to
 * containers: they get an overlay over it.
 */
export function busyboxRootfs(at?: string): string {
  if (at && existsSync(join(at, 'bin', 'busybox'))) return at;
  if (at) mkdirSync(at, { recursive: true });
  const root = at ?? mkdtempSync(join(tmpdir(), 'crun-busybox-'));
  for (const d of ['bin', 'etc', 'tmp', 'var/www', 'home/app']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(busybox, join(root, 'bin/busybox'));
  execFileSync('chmod', ['755', join(root, 'bin/busybox')]);
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) symlinkSync('busybox', join(root, 'bin', a));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\napp:x:1000:\nwww:x:33:app\nnogroup:x:65534:\n');
  writeFileSync(join(root, 'var/www/index.html'), 'hello from busybox\n');
  return root;
}

export const busyboxConfig: OciImageConfig = {
  Entrypoint: ['/bin/sh', '-c'],
  Cmd: ['echo image-cmd'],
  Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'FROM_IMAGE=yes', 'OVERRIDE=image'],
  WorkingDir: '/',
};

/** Answers every image with the busybox rootfs, as a registry pull would after the first. */
export class BusyboxPuller implements ImagePuller {
  calls = 0;
  /** Images that fail to pull, with the error text. */
  failing = new Map<string, string>();

  constructor(
    readonly rootfs: string,
    public config: OciImageConfig = busyboxConfig,
  ) {}

  private readonly present = new Set<string>();

  async ensure(req: PullRequest, progress?: (p: PullProgress) => void): Promise<PulledImage> {
    this.calls++;
    const known = this.present.has(req.image);
    if (req.pullPolicy === 'Never' && !known) {
      throw new ImageNeverPullError(`Container image "${req.image}" is not present with pull policy of Never`);
    }
    // A registry that refuses, as an unreachable one would (no internet in tests).
    const err = this.failing.get(req.image) ?? (req.image.includes('does-not-exist') ? 'dial tcp 127.0.0.1:1: connect: connection refused' : undefined);
    if (err !== undefined && !known) {
      progress?.({ type: 'Pulling', image: req.image });
      throw new ImagePullError(err);
    }
    if (!known || req.pullPolicy === 'Always') {
      this.present.add(req.image);
      progress?.({ type: 'Pulling', image: req.image });
      progress?.({ type: 'Pulled', image: req.image, message: `Successfully pulled image "${req.image}" in 1ms (1ms including waiting). Image size: 1982256 bytes.` });
    } else {
      progress?.({ type: 'AlreadyPresent', image: req.image });
    }
    return { imageID: `docker.io/library/busybox@sha256:${'ab'.repeat(32)}`, rootfs: this.rootfs, config: this.config };
  }
}
