// Shared builders for the allocation tests: allocators over real storage (SQLite in memory, the
// IPAddress store over a watch cache, as the API server builds them), closed after the file's tests.
import { after } from 'node:test';
import { tmpdir } from 'node:os';
import type { Service, ServiceSpec } from '../../../src/api/core.js';
import { ServiceAllocations } from '../../../src/apiserver/allocators/index.js';
import { ClusterIPAllocator } from '../../../src/apiserver/allocators/ipallocator.js';
import { PortAllocator, type PortRange } from '../../../src/apiserver/allocators/portallocator.js';
import { ipaddresses } from '../../../src/apiserver/registry/networking/ipaddresses.js';
import { keyPrefix } from '../../../src/apiserver/resources.js';
import { Store } from '../../../src/apiserver/store/store.js';
import { WatchCache } from '../../../src/apiserver/store/watch-cache.js';
import { StatusError } from '../../../src/machinery/status.js';
import type { Backend } from '../../../src/storage/backend.js';
import { openBackend } from '../../../src/storage/registry.js';

export function svc(name: string, spec: ServiceSpec): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { type: 'ClusterIP', selector: { app: name }, ...spec },
  } as Service;
}

const opened: { backend: Backend; cache: WatchCache }[] = [];
after(async () => {
  for (const o of opened.splice(0)) {
    o.cache.stop();
    await o.backend.close();
  }
});

/** A fresh store: its backend and the IPAddress store on it. */
export async function storage(): Promise<{ backend: Backend; ipaddresses: Store }> {
  const backend = openBackend('sqlite://:memory:', { dataDir: tmpdir() });
  await backend.start();
  const cache = new WatchCache(backend, '/registry/');
  cache.add(keyPrefix(ipaddresses.info));
  await cache.start();
  opened.push({ backend, cache });
  return { backend, ipaddresses: new Store(ipaddresses.info, ipaddresses.strategy, backend, cache, {}) };
}

export async function allocations(cidr = '10.0.0.0/24', nodePortRange = { base: 30000, size: 2768 }): Promise<ServiceAllocations> {
  const s = await storage();
  return new ServiceAllocations({ serviceCIDR: cidr, nodePortRange, backend: s.backend, ipaddresses: () => s.ipaddresses });
}

export async function ipAllocator(cidr: string): Promise<ClusterIPAllocator> {
  const s = await storage();
  return new ClusterIPAllocator(cidr, () => s.ipaddresses);
}

export async function portAllocator(range: PortRange): Promise<PortAllocator> {
  return new PortAllocator(range, (await storage()).backend);
}

/** Runs fn, expects a StatusError and returns it. */
export async function statusError(fn: () => unknown): Promise<StatusError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError, got none');
}

/** The message fn fails with, or "<no error>". */
export async function message(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return (e as Error).message;
  }
  return '<no error>';
}

export const parent = { resource: 'services', namespace: 'default', name: 'test' };

export const clone = <T>(o: T): T => structuredClone(o);
