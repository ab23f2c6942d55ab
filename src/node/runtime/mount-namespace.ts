// Volume mounts for process containers: the program starts in a mount namespace of its own
// (`unshare --mount --propagation private`, inside a user namespace when the agent is not root),
// where a small shell binds each volume at its mountPath (read-only ones remounted so) and then
// execs the program in place, so the PID stays the program's. The machine's own mounts are never
// touched; but the processes share its filesystem, so a mountPath that does not exist is first
// created there (an empty directory, or an empty file for a file volume) to mount onto.
import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { ContainerMount } from './types.js';

export type MountSupport = { kind: 'root' } | { kind: 'userns' } | { kind: 'none'; why: string };

let cached: MountSupport | undefined;

/**
 * A tool of the agent's machine by absolute path, found through the agent's own PATH: the
 * container's env (whose PATH may be anything) must not decide which `mount` runs.
 */
function tool(name: string): string {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      /* next */
    }
  }
  return name;
}

const tools = new Map<string, string>();
const toolPath = (name: string): string => {
  let p = tools.get(name);
  if (p === undefined) tools.set(name, (p = tool(name)));
  return p;
};

/** Whether this agent can give a process a mount namespace, found once. */
export function mountNamespaceSupport(): MountSupport {
  if (cached) return cached;
  if (process.getuid?.() === 0) return (cached = { kind: 'root' });
  const r = spawnSync(toolPath('unshare'), ['--user', '--map-root-user', '--mount', '--propagation', 'private', 'true'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
  if (r.status === 0) return (cached = { kind: 'userns' });
  const why = r.error ? r.error.message : r.stderr.toString().trim() || `unshare exited with ${r.status}`;
  return (cached = { kind: 'none', why });
}

/**
 * Binds each "mode src dst" triple, then execs what follows `--`. A failed bind ends the
 * container with mount's message on its stderr (set -e).
 */
const script = (mount: string) => [
  'set -e',
  'while [ "$1" != -- ]; do',
  // util-linux's mount makes a read-only bind in one call (the bind, then its remount).
  `  if [ "$1" = ro ]; then '${mount}' --bind -o ro "$2" "$3"; else '${mount}' --bind "$2" "$3"; fi`,
  '  shift 3',
  'done',
  'shift',
  'exec "$@"',
].join('\n');

/** The argv prefix that starts a program with `mounts` in place (empty when there are none). */
export function mountPrefix(mounts: readonly ContainerMount[] | undefined, support: MountSupport): string[] {
  if (!mounts?.length) return [];
  const user = support.kind === 'userns' ? ['--user', '--map-root-user'] : [];
  const triples = mounts.flatMap((m) => [m.readOnly ? 'ro' : 'rw', m.hostPath, m.containerPath]);
  return [toolPath('unshare'), ...user, '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', script(toolPath('mount')), 'sh', ...triples, '--'];
}

/** The argv prefix that enters a running container's mount namespace (for exec, probes, hooks). */
export function enterMountsPrefix(pid: number, support: MountSupport): string[] {
  const user = support.kind === 'userns' ? ['--user', '--preserve-credentials'] : [];
  return [toolPath('nsenter'), `--target=${pid}`, '--mount', ...user, '--'];
}

/** Makes every mountPath exist, of the kind its source is, so the bind has something to cover. */
export function prepareMountPoints(mounts: readonly ContainerMount[]): void {
  for (const m of mounts) {
    if (existsSync(m.containerPath)) continue;
    if (statSync(m.hostPath).isDirectory()) {
      mkdirSync(m.containerPath, { recursive: true, mode: 0o755 });
    } else {
      mkdirSync(dirname(m.containerPath), { recursive: true, mode: 0o755 });
      closeSync(openSync(m.containerPath, 'a', 0o644));
    }
  }
}
