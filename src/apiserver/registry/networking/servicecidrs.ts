// networking.k8s.io/v1 servicecidrs (KEP-1880, GA in 1.33): the ranges ClusterIPs are allocated
// from. The API server creates `kubernetes` from --service-cidr; status is the controller's.
import {
  validateServiceCIDR,
  validateServiceCIDRStatusUpdate,
  validateServiceCIDRUpdate,
  type ServiceCIDR,
} from '../../../api/validation/service-cidr.js';
import { resourceInfo } from '../../resources.js';
import { serviceCIDRPrinter } from '../../tables/simple.js';
import { entry } from '../entry.js';
import { keepStatus, noDefaults } from '../strategy.js';

export const servicecidrs = entry<ServiceCIDR>({
  info: resourceInfo({
    group: 'networking.k8s.io',
    version: 'v1',
    resource: 'servicecidrs',
    kind: 'ServiceCIDR',
    namespaced: false,
    subresources: ['status'],
  }),
  strategy: {
    defaults: noDefaults,
    prepareForCreate(sc) {
      delete sc.status;
    },
    prepareForUpdate: keepStatus,
    validateCreate: validateServiceCIDR,
    validateUpdate: validateServiceCIDRUpdate,
    validateStatusUpdate: validateServiceCIDRStatusUpdate,
  },
  printer: serviceCIDRPrinter,
});
