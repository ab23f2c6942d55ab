// What the Service registry and `kubesvc up` use from the allocators.
export { ServiceAllocations, type ServiceAllocationsOptions } from './service-allocations.js';
export type { AllocatorTxn } from './transaction.js';
export { ClusterIPAllocator } from './ipallocator.js';
export { indexedIP } from './ipv4.js';
export { PortAllocator, parsePortRange, formatPortRange, type PortRange } from './portallocator.js';
export { AllocatorError } from './errors.js';
export {
  normalizeClusterIPs,
  patchAllocatedValues,
  dropTypeDependentFields,
  needsClusterIP,
  needsNodePort,
  needsHealthCheck,
} from './service-fields.js';
