// Service registry hooks: ClusterIP and NodePort allocation around writes, as upstream's
// service REST storage does in its Begin/After hooks.
import type { KubeObject } from '../../api/meta.js';
import type { Service } from '../../api/core.js';
import type { ServiceAllocations } from '../allocators/index.js';
import type { StoreHooks } from '../store/hooks.js';

export function serviceHooks(alloc: ServiceAllocations): StoreHooks {
  return {
    prepareForCreate(obj: KubeObject) {
      // Clients may not set status on create; the LoadBalancer controller writes it.
      obj.status = { loadBalancer: {} };
    },
    beginCreate(obj, ctx) {
      return alloc.allocateCreate(obj as Service, ctx.dryRun);
    },
    beginUpdate(obj, old, ctx) {
      return alloc.allocateUpdate(obj as Service, old as Service, ctx.dryRun);
    },
    afterDelete(obj) {
      alloc.release(obj as Service);
    },
  };
}
