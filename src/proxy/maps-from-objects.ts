// The maps a proxy on a node would hold after its first sync, built from listed objects by the
// proxy's own change trackers: what `kubesvc proxy rules|trace` render, so they print exactly what a
// running proxy on that node would program.
import type { Service } from '../api/core.js';
import type { EndpointSlice } from '../api/discovery.js';
import { applyEndpointsChanges, EndpointsChangeTracker } from './endpointschangetracker.js';
import { applyServiceChanges, ServiceChangeTracker } from './servicechangetracker.js';
import type { EndpointsMap, ServicePortMap } from './types.js';

export function proxyMapsFor(services: readonly Service[], slices: readonly EndpointSlice[], nodeName: string): { serviceMap: ServicePortMap; endpointsMap: EndpointsMap } {
  const sct = new ServiceChangeTracker();
  const ect = new EndpointsChangeTracker(nodeName, 0);
  for (const s of services) sct.update(undefined, s);
  for (const s of slices) ect.endpointSliceUpdate(s, false);
  const serviceMap: ServicePortMap = new Map();
  const endpointsMap: EndpointsMap = new Map();
  applyServiceChanges(serviceMap, sct);
  applyEndpointsChanges(endpointsMap, ect);
  return { serviceMap, endpointsMap };
}
