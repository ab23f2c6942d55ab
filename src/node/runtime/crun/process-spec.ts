// What the container's process is, as containerd's CRI plugin derives it from the image config and
// the container (kubelet rules): command/args against Entrypoint/Cmd (images/entrypoint.ts, the one
// implementation of that rule), the image's Env under the container's (the container wins), its
// WorkingDir unless the container sets one, and its User resolved in the image's own /etc/passwd.
import { containerArgv } from '../../images/entrypoint.js';
import type { OciImageConfig } from '../image-puller.js';
import { CreateContainerError } from '../types.js';
import { resolveUser, type ProcessUser } from './user.js';

/** containerd's default when an image sets no PATH (oci.WithDefaultPathEnv). */
export const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ProcessSpec {
  args: string[];
  /** `NAME=value`, image entries first, each name once. */
  env: string[];
  cwd: string;
  user: ProcessUser;
}

export interface ProcessInput {
  image: OciImageConfig;
  command?: string[];
  args?: string[];
  workingDir?: string;
  /** The container's complete environment as the agent built it. */
  env: Record<string, string>;
  hostname?: string;
  /** The image's root filesystem, where User names are looked up. */
  rootfs: string;
}

/** Image Env under the container's env: a name the container sets takes the container's value. */
export function mergeEnv(image: string[] | undefined, container: Record<string, string>, hostname?: string): string[] {
  const merged = new Map<string, string>();
  for (const entry of image ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) merged.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  if (!merged.has('PATH')) merged.set('PATH', defaultPath);
  // containerd sets HOSTNAME from the sandbox before the image and container env are applied.
  if (hostname && !merged.has('HOSTNAME')) merged.set('HOSTNAME', hostname);
  for (const [k, v] of Object.entries(container)) merged.set(k, v);
  return [...merged].map(([k, v]) => `${k}=${v}`);
}

export function processSpec(p: ProcessInput): ProcessSpec {
  const args = containerArgv({ entrypoint: p.image.Entrypoint ?? [], cmd: p.image.Cmd ?? [], binaries: [] }, p.command, p.args);
  // containerd's message when neither the image nor the container gives a command.
  if (args.length === 0) throw new CreateContainerError('failed to generate container spec: no command specified');
  return {
    args,
    env: mergeEnv(p.image.Env, p.env, p.hostname),
    cwd: p.workingDir || p.image.WorkingDir || '/',
    user: resolveUser(p.rootfs, p.image.User ?? ''),
  };
}
