// Shared builders for the allocation tests.
import type { Service, ServiceSpec } from '../../../src/api/core.js';
import { ServiceAllocations } from '../../../src/apiserver/allocators/index.js';
import { StatusError } from '../../../src/machinery/status.js';

export function svc(name: string, spec: ServiceSpec): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { type: 'ClusterIP', selector: { app: name }, ...spec },
  } as Service;
}

export function allocations(cidr = '10.0.0.0/24', nodePortRange = { base: 30000, size: 2768 }): ServiceAllocations {
  return new ServiceAllocations({ serviceCIDR: cidr, nodePortRange });
}

/** Runs fn, expects a StatusError and returns it. */
export function statusError(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError, got none');
}

export const clone = <T>(o: T): T => structuredClone(o);
