// core/v1 services (upstream's pkg/registry/core/service): ClusterIPs and NodePorts are allocated
// around writes by the store's hooks; status belongs to the LoadBalancer controller.
import type { Service } from '../../../api/core.js';
import { setDefaultsService } from '../../../api/defaults/service.js';
import { validateServiceCreate, validateServiceStatusUpdate, validateServiceUpdate } from '../../../api/validation/service.js';
import { fields, resourceInfo } from '../../resources.js';
import { servicePrinter } from '../../tables/service.js';
import { entry } from '../entry.js';
import { serviceProxyREST } from './service-proxy.js';
import { keepStatus, withDefaults } from '../strategy.js';

export const services = entry<Service>({
  info: resourceInfo({
    group: '',
    version: 'v1',
    resource: 'services',
    kind: 'Service',
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status', 'proxy'],
    fieldSelectors: fields('spec.clusterIP', 'spec.type'),
    returnDeletedObject: true,
  }),
  strategy: {
    defaults: setDefaultsService,
    prepareForCreate(svc) {
      // Clients may not set status on create; the LoadBalancer controller writes it.
      svc.status = { loadBalancer: {} };
    },
    prepareForUpdate: keepStatus,
    validateCreate: validateServiceCreate,
    validateUpdate: validateServiceUpdate,
    validateStatusUpdate: withDefaults(setDefaultsService, validateServiceStatusUpdate),
  },
  hooks: ({ allocations }) => ({
    beginCreate: (obj, ctx) => allocations.allocateCreate(obj as Service, ctx.dryRun),
    beginUpdate: (obj, old, ctx) => allocations.allocateUpdate(obj as Service, old as Service, ctx.dryRun),
    afterDelete: (obj) => allocations.release(obj as Service),
  }),
  subresources: (deps) => ({ proxy: serviceProxyREST(deps) }),
  printer: servicePrinter,
});
