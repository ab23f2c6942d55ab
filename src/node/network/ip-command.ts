// The absolute path of `ip`, for the argv prefixes pods' processes start behind. Those processes
// are spawned with the container's environment, and Node resolves a bare `ip` through that env's
// PATH — a pod with `PATH=/opt/app/bin` would then fail with ENOENT for `ip` itself. So `ip` is
// looked up once in kubesvc's own PATH (where its own `ip` commands find it), then in the usual
// places, and prefixes carry the absolute path.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** Where iproute2 installs `ip` on the distributions kubesvc runs on, in search order. */
export const IP_FALLBACKS: readonly string[] = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first executable `ip` in `pathEnv` (absolute entries only: a relative one would resolve
 * against each pod's working dir), else in `fallbacks`; undefined when there is none.
 */
export function findIp(pathEnv: string | undefined, fallbacks: readonly string[] = IP_FALLBACKS): string | undefined {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, 'ip');
    if (isExecutableFile(candidate)) return candidate;
  }
  return fallbacks.find(isExecutableFile);
}

let resolved: string | undefined;

/**
 * `ip` as an absolute path, resolved once per process. When it is nowhere, the first fallback:
 * spawning it then fails with an ENOENT that names a path, and the miss is not cached, so
 * installing iproute2 later is picked up.
 */
export function ipCommand(): string {
  resolved ??= findIp(process.env.PATH);
  return resolved ?? IP_FALLBACKS[0]!;
}
