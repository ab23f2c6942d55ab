// A container's resources as the kubelet hands them to the runtime (CRI LinuxContainerResources,
// from kuberuntime's calculateLinuxResources): cpu shares from the request (the limit when only it
// is set; 2, the minimum, when neither), a CFS quota over a 100 ms period from the cpu limit, and
// the memory limit in bytes. cgroups.ts writes them to cgroup v1 or v2 files.
import type { Container } from '../../api/core.js';
import { resourceValue, type ResourceList } from '../../api/resource-list.js';

export interface LinuxContainerResources {
  cpuShares: number;
  /** 0: no cpu limit. */
  cpuQuota: number;
  cpuPeriod: number;
  /** 0: no memory limit. */
  memoryLimitInBytes: number;
}

const minShares = 2;
const maxShares = 262144;
const sharesPerCPU = 1024;
const minQuotaPeriod = 1000;
export const quotaPeriod = 100_000;

/** cm.MilliCPUToShares. */
export function milliCPUToShares(milli: number): number {
  if (milli === 0) return minShares;
  const shares = Math.trunc((milli * sharesPerCPU) / 1000);
  return Math.min(Math.max(shares, minShares), maxShares);
}

/** milliCPUToQuota: 0 (unlimited) without a limit, at least 1 ms per period. */
export function milliCPUToQuota(milli: number, period: number): number {
  if (milli === 0) return 0;
  return Math.max(Math.trunc((milli * period) / 1000), minQuotaPeriod);
}

export function linuxContainerResources(c: Container): LinuxContainerResources {
  const r = (c.resources ?? {}) as { requests?: ResourceList; limits?: ResourceList };
  const cpuRequest = Number(resourceValue('cpu', r.requests?.cpu));
  const cpuLimit = Number(resourceValue('cpu', r.limits?.cpu));
  return {
    cpuShares: milliCPUToShares(cpuRequest === 0 && cpuLimit !== 0 ? cpuLimit : cpuRequest),
    cpuQuota: milliCPUToQuota(cpuLimit, quotaPeriod),
    cpuPeriod: quotaPeriod,
    memoryLimitInBytes: Number(resourceValue('memory', r.limits?.memory)),
  };
}

/** Whether the container asks for anything a cgroup would enforce (a limit). */
export function hasLimits(r: LinuxContainerResources): boolean {
  return r.cpuQuota > 0 || r.memoryLimitInBytes > 0;
}
