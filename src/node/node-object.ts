// The Node object an agent registers and keeps current, as the kubelet's node status setters
// fill it: addresses, capacity, conditions, nodeInfo, daemon endpoints.
import { readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import type { Node } from '../api/core.js';
import { resourceValue } from '../api/resource-list.js';
import type { Condition } from '../api/meta.js';

/** The Kubernetes version the agent claims to be, the one the API server serves. */
export const kubeletVersion = 'v1.32.0';
export const maxPods = 110;

function goArch(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[process.arch] ?? process.arch;
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function osImage(): string {
  const release = readTrimmed('/etc/os-release');
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release);
  return m?.[1] ?? `${os.type()} ${os.release()}`;
}

export interface NodeParams {
  nodeName: string;
  nodeIP: string;
  podCIDR: string;
  dataDir?: string;
  /** Where the kubelet API listens (daemonEndpoints.kubeletEndpoint.Port); 10250 by default. */
  kubeletPort?: number;
}

export function nodeLabels(p: NodeParams): Record<string, string> {
  const arch = goArch();
  return {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': p.nodeName,
    'kubernetes.io/os': 'linux',
  };
}

/** The size of the filesystem holding the agent's data (pod logs live there), as cAdvisor reports it. */
function ephemeralStorage(dataDir: string | undefined): string {
  try {
    const s = statfsSync(dataDir ?? '/');
    return `${Math.floor((s.blocks * s.bsize) / 1024)}Ki`;
  } catch {
    return '0';
  }
}

export function nodeCapacity(dataDir?: string): Record<string, string> {
  return {
    cpu: String(os.cpus().length || 1),
    'ephemeral-storage': ephemeralStorage(dataDir),
    // No huge pages are set aside for pods; the kubelet lists the sizes the kernel offers as 0.
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${Math.floor(os.totalmem() / 1024)}Ki`,
    pods: String(maxPods),
  };
}

/** Bytes as resource.Quantity prints them in BinarySI: the largest power of 1024 that divides them. */
export function binarySI(bytes: bigint): string {
  if (bytes <= 0n) return '0';
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  let i = 0;
  while (i < suffixes.length - 1 && bytes % 1024n === 0n) {
    bytes /= 1024n;
    i++;
  }
  return `${bytes}${suffixes[i]}`;
}

/** The kubelet's default hard eviction thresholds that allocatable is reduced by. */
export const evictionMemoryAvailable = 100n * 1024n * 1024n;
export const evictionNodeFsAvailablePercent = 10n;

/**
 * Allocatable as the kubelet computes it with no kube/system reservations: capacity minus the
 * default hard eviction thresholds (memory.available<100Mi, nodefs.available<10%).
 */
export function nodeAllocatable(capacity: Record<string, string>): Record<string, string> {
  const memory = resourceValue('memory', capacity.memory) - evictionMemoryAvailable;
  const storage = resourceValue('ephemeral-storage', capacity['ephemeral-storage']);
  return {
    ...capacity,
    memory: binarySI(memory > 0n ? memory : 0n),
    'ephemeral-storage': binarySI(storage - (storage * evictionNodeFsAvailablePercent) / 100n),
  };
}

export function nodeConditions(previous: Condition[] | undefined, now: string): Condition[] {
  const want: [string, 'True' | 'False', string, string][] = [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
  ];
  return want.map(([type, status, reason, message]) => {
    const prev = previous?.find((c) => c.type === type);
    const lastTransitionTime = prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
    return { type, status, lastHeartbeatTime: now, lastTransitionTime, reason, message };
  });
}

export function nodeStatus(p: NodeParams, previous: Node['status'], now: string): NonNullable<Node['status']> {
  const capacity = nodeCapacity(p.dataDir);
  return {
    ...(previous ?? {}),
    capacity,
    allocatable: nodeAllocatable(capacity),
    conditions: nodeConditions(previous?.conditions, now),
    addresses: [
      { type: 'InternalIP', address: p.nodeIP },
      { type: 'Hostname', address: p.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: p.kubeletPort ?? 10250 } },
    nodeInfo: {
      machineID: readTrimmed('/etc/machine-id'),
      systemUUID: readTrimmed('/sys/class/dmi/id/product_uuid'),
      bootID: readTrimmed('/proc/sys/kernel/random/boot_id'),
      kernelVersion: os.release(),
      osImage: osImage(),
      containerRuntimeVersion: 'kubesvc://0.1.0',
      kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: goArch(),
    },
  };
}

export function newNode(p: NodeParams, now: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: p.nodeName,
      labels: nodeLabels(p),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: p.podCIDR, podCIDRs: [p.podCIDR] },
    status: nodeStatus(p, undefined, now),
  };
}

/** The status without heartbeat times, to tell a real change from a heartbeat. */
export function statusWithoutHeartbeats(s: Node['status']): unknown {
  if (!s) return s;
  return { ...s, conditions: s.conditions?.map((c) => ({ ...c, lastHeartbeatTime: undefined })) };
}
