// The cluster's address plan per network mode: where nodes, Services, pods and LoadBalancer
// IPs live. Loopback mode keeps everything inside 127.0.0.0/8 so it needs no privileges.
import { UsageError } from './flags.js';

export type NetworkMode = 'loopback' | 'netns';

export interface AddressPlan {
  network: NetworkMode;
  nodeIP: string;
  serviceCIDR: string;
  podCIDR: string;
  lbPool: string;
}

export const defaultPlans: Record<NetworkMode, AddressPlan> = {
  loopback: {
    network: 'loopback',
    nodeIP: '127.0.0.1',
    serviceCIDR: '127.96.0.0/16',
    podCIDR: '127.244.0.0/16',
    lbPool: '127.240.0.0/24',
  },
  netns: {
    network: 'netns',
    nodeIP: '172.30.0.1',
    serviceCIDR: '10.96.0.0/12',
    podCIDR: '10.244.0.0/16',
    lbPool: '172.30.1.0/24',
  },
};

const cidrRe = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Checks an IPv4 CIDR and returns it in canonical form (host bits cleared). */
export function checkCIDR(flag: string, value: string): string {
  const m = cidrRe.exec(value.trim());
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new UsageError(`--${flag}: ${JSON.stringify(value)} is not an IPv4 CIDR such as 10.96.0.0/12`);
  }
  const bits = Number(m[5]);
  const n = m.slice(1, 5).reduce((a, o) => a * 256 + Number(o), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const base = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (base >>> s) & 255).join('.')}/${bits}`;
}

/** "30000-32767" → {base, size}. */
export function parsePortRangeFlag(value: string): { base: number; size: number } {
  const m = /^(\d+)-(\d+)$/.exec(value.trim());
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2]) : NaN;
  if (!m || lo < 1 || hi > 65535 || lo > hi) {
    throw new UsageError(`--service-node-port-range: ${JSON.stringify(value)} is not a port range such as 30000-32767`);
  }
  return { base: lo, size: hi - lo + 1 };
}
