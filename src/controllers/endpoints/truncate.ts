// The 1000-address cap on Endpoints (upstream's truncateEndpoints): EndpointSlices carry large
// Services; the legacy object keeps at most maxCapacity addresses, ready ones first, spread over
// the subsets in proportion to their size, and says so with the over-capacity annotation.
import type { EndpointSubset } from '../../api/core.js';
import { EndpointsOverCapacity } from '../endpointslice/util/labels.js';

export const maxCapacity = 1000;
export const truncated = 'truncated';

function count(subsets: EndpointSubset[]): { ready: number; notReady: number } {
  let ready = 0;
  let notReady = 0;
  for (const s of subsets) {
    ready += s.addresses?.length ?? 0;
    notReady += s.notReadyAddresses?.length ?? 0;
  }
  return { ready, notReady };
}

/** Truncates in place; true when anything had to go. */
export function truncateEndpoints(subsets: EndpointSubset[]): boolean {
  const { ready, notReady } = count(subsets);
  if (ready + notReady <= maxCapacity) return false;
  const truncateReady = ready > maxCapacity;
  const max = truncateReady ? maxCapacity : maxCapacity - ready;
  const total = truncateReady ? ready : notReady;
  let canBeAdded = max;
  for (const s of subsets) {
    const inSubset = truncateReady ? (s.addresses?.length ?? 0) : (s.notReadyAddresses?.length ?? 0);
    // Rounded up, so the last subsets may get fewer than their share.
    const toBeAdded = Math.min(Math.ceil((inSubset / total) * max), canBeAdded);
    if (truncateReady) {
      s.addresses = (s.addresses ?? []).slice(0, toBeAdded);
      s.notReadyAddresses = [];
      canBeAdded -= s.addresses.length;
    } else {
      s.notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, toBeAdded);
      canBeAdded -= s.notReadyAddresses.length;
    }
  }
  return true;
}

/** Whether the over-capacity annotation agrees with what the subsets hold. */
export function capacityAnnotationSetCorrectly(annotations: Record<string, string> | undefined, subsets: EndpointSubset[]): boolean {
  const { ready, notReady } = count(subsets);
  // Over capacity means a truncation is still due, whatever the annotation says.
  if (ready + notReady > maxCapacity) return false;
  return !(EndpointsOverCapacity in (annotations ?? {}));
}
