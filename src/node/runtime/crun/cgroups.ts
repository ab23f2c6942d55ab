// Container cgroups, made by the agent rather than by crun (which runs with no cgroup manager,
// see cli.ts): one cgroup per container run under `kubesvc/`, with the limits of
// LinuxContainerResources written as the OCI runtimes write them — cgroup v2 memory.max, cpu.max,
// cpu.weight; cgroup v1 memory.limit_in_bytes, cpu.cfs_quota_us/cfs_period_us, cpu.shares. The
// shim joins it before exec'ing crun, so the container starts inside it. After the container
// exits, the kernel's oom_kill count says whether the memory limit killed it (OOMKilled).
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LinuxContainerResources } from '../linux-resources.js';

const root = '/sys/fs/cgroup';
const group = 'kubesvc';

export type CgroupMode = { version: 2 } | { version: 1 };

/** runc's ConvertCPUSharesToCgroupV2Value: shares 2..262144 onto weight 1..10000. */
export function sharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  return 1 + Math.trunc(((shares - 2) * 9999) / 262142);
}

/** The files and values to write, per controller directory ('' for v2's single hierarchy). */
export function cgroupFiles(mode: CgroupMode, r: LinuxContainerResources): Record<string, Record<string, string>> {
  if (mode.version === 2) {
    return {
      '': {
        'cpu.weight': String(sharesToWeight(r.cpuShares)),
        'cpu.max': `${r.cpuQuota > 0 ? r.cpuQuota : 'max'} ${r.cpuPeriod}`,
        'memory.max': r.memoryLimitInBytes > 0 ? String(r.memoryLimitInBytes) : 'max',
        // As runc does when swap is not configured: no swap beyond the limit.
        ...(r.memoryLimitInBytes > 0 ? { 'memory.swap.max': '0' } : {}),
      },
    };
  }
  return {
    cpu: {
      'cpu.shares': String(r.cpuShares),
      'cpu.cfs_period_us': String(r.cpuPeriod),
      'cpu.cfs_quota_us': String(r.cpuQuota > 0 ? r.cpuQuota : -1),
    },
    memory: r.memoryLimitInBytes > 0 ? { 'memory.limit_in_bytes': String(r.memoryLimitInBytes) } : {},
  };
}

/**
 * What this machine offers, or why limits cannot be enforced: the agent must be root (rootless
 * crun gets no cgroup delegation here) and the memory and cpu controllers must be writable.
 */
export function detectCgroups(rootless: boolean): CgroupMode | { unavailable: string } {
  if (rootless) return { unavailable: 'the node agent is not root, so it cannot create cgroups' };
  try {
    if (existsSync(join(root, 'cgroup.controllers'))) {
      const controllers = readFileSync(join(root, 'cgroup.controllers'), 'utf8').split(/\s+/);
      if (!controllers.includes('memory') || !controllers.includes('cpu')) return { unavailable: 'cgroup v2 without the memory and cpu controllers' };
      mkdirSync(join(root, group), { recursive: true });
      writeFileSync(join(root, 'cgroup.subtree_control'), '+memory +cpu');
      writeFileSync(join(root, group, 'cgroup.subtree_control'), '+memory +cpu');
      return { version: 2 };
    }
    for (const c of ['memory', 'cpu']) mkdirSync(join(root, c, group), { recursive: true });
    return { version: 1 };
  } catch (e) {
    return { unavailable: `cgroups are not writable here (${(e as Error).message})` };
  }
}

/** The cgroup of one container run. */
export class ContainerCgroup {
  constructor(
    private readonly mode: CgroupMode,
    readonly id: string,
  ) {}

  private dirs(): string[] {
    return this.mode.version === 2 ? [join(root, group, this.id)] : ['memory', 'cpu'].map((c) => join(root, c, group, this.id));
  }

  /** Creates it with the limits; returns the cgroup.procs files the shim writes its PID to. */
  create(r: LinuxContainerResources): string[] {
    for (const [controller, files] of Object.entries(cgroupFiles(this.mode, r))) {
      const dir = this.mode.version === 2 ? join(root, group, this.id) : join(root, controller, group, this.id);
      mkdirSync(dir, { recursive: true });
      for (const [f, v] of Object.entries(files)) {
        // memory.swap.max is absent when the kernel has no swap accounting.
        if (f === 'memory.swap.max' && !existsSync(join(dir, f))) continue;
        writeFileSync(join(dir, f), v);
      }
    }
    return this.dirs().map((d) => join(d, 'cgroup.procs'));
  }

  /** The memory cgroup's oom_kill count is not zero: the kernel killed a process for the limit. */
  oomKilled(): boolean {
    const file = this.mode.version === 2 ? join(root, group, this.id, 'memory.events') : join(root, 'memory', group, this.id, 'memory.oom_control');
    try {
      const m = /^oom_kill (\d+)$/m.exec(readFileSync(file, 'utf8'));
      return !!m && Number(m[1]) > 0;
    } catch {
      return false;
    }
  }

  /** Removes it (empty once the container and its shim are gone). */
  remove(): void {
    for (const d of this.dirs()) {
      try {
        rmdirSync(d);
      } catch {
        /* gone, or a straggler still inside: the next cleanup takes it */
      }
    }
  }
}
