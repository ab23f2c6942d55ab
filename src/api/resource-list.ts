// A ResourceList (requests, limits, capacity, allocatable, overhead) in the integer units
// Kubernetes components compute with: cpu in millicores (Quantity.MilliValue), everything else
// in whole units (Quantity.Value), both rounded up. Shared by the scheduler and the node agent.
import { Quantity } from './quantity.js';

export type ResourceList = Record<string, string | number>;

/** cpu in millicores, everything else (memory, ephemeral-storage, extended) in whole units. */
export type Resources = Map<string, bigint>;

/** One quantity in its unit; unparsable values count as zero (validation rejects them first). */
export function resourceValue(name: string, v: string | number | undefined): bigint {
  if (v === undefined) return 0n;
  try {
    return Quantity.parse(String(v)).scaledCeil(name === 'cpu' ? 1000n : 1n);
  } catch {
    return 0n;
  }
}

export function resourceList(list: ResourceList | undefined): Resources {
  const out: Resources = new Map();
  for (const [k, v] of Object.entries(list ?? {})) out.set(k, resourceValue(k, v));
  return out;
}
