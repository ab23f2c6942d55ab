// A container's volumeMounts resolved to ContainerMounts (the kubelet's makeMounts): the volume's
// directory, or with subPath / subPathExpr (expanded from the container's env) a path inside it,
// which must stay inside the volume once symlinks are resolved and is created as a directory
// when missing, as the kubelet does. A subPath of a configMap resolves to the file of the
// current `..data`, so, as upstream, it does not follow later updates.
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Container } from '../../api/core.js';
import { ContainerConfigError } from '../downward-api.js';
import { expand } from '../env.js';
import type { ContainerMount } from '../runtime/types.js';

interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
  subPathExpr?: string;
}

/** upstream's ExpandContainerVolumeMounts: every $(VAR) must have a non-empty value. */
function expandSubPathExpr(expr: string, env: Record<string, string>): string {
  const missing = new Set<string>();
  const out = expand(expr, (k) => {
    const v = Object.prototype.hasOwnProperty.call(env, k) ? env[k] : undefined;
    if (!v) missing.add(k);
    return v ?? '';
  });
  if (missing.size > 0) throw new ContainerConfigError(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}

function subPathIn(volumePath: string, subPath: string): string {
  if (subPath.startsWith('/')) throw new ContainerConfigError(`subPath "${subPath}" must be a relative path`);
  if (subPath.split('/').includes('..')) throw new ContainerConfigError(`subPath "${subPath}" must not contain '..'`);
  const full = join(volumePath, subPath);
  if (!existsSync(full)) mkdirSync(full, { recursive: true, mode: 0o755 });
  const root = realpathSync(volumePath);
  const real = realpathSync(full);
  if (real !== root && !real.startsWith(root + sep)) {
    throw new ContainerConfigError(`subpath "${real}" not within volume path "${root}"`);
  }
  return real;
}

/** `readOnlyVolumes`: volumes the pod itself marks read-only (a persistentVolumeClaim's readOnly), for every container. */
export function containerMounts(
  container: Container,
  volumePaths: Map<string, string>,
  env: Record<string, string>,
  readOnlyVolumes: ReadonlySet<string> = new Set(),
): ContainerMount[] {
  const out: ContainerMount[] = [];
  for (const m of (container.volumeMounts ?? []) as VolumeMount[]) {
    const hostPath = volumePaths.get(m.name);
    if (hostPath === undefined) throw new ContainerConfigError(`cannot find volume "${m.name}" to mount into container "${container.name}"`);
    const sub = m.subPathExpr ? expandSubPathExpr(m.subPathExpr, env) : m.subPath;
    out.push({ containerPath: m.mountPath, hostPath: sub ? subPathIn(hostPath, sub) : hostPath, readOnly: !!m.readOnly || readOnlyVolumes.has(m.name) });
  }
  return out;
}
