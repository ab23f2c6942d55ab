// networking.k8s.io/v1 ingressclasses: which controller serves Ingresses of a class; cluster-scoped,
// no status, the controller fixed at creation.
import type { IngressClass } from '../../../api/networking.js';
import { setDefaultsIngressClass, validateIngressClass, validateIngressClassUpdate } from '../../../api/validation/ingress.js';
import { resourceInfo } from '../../resources.js';
import { ingressClassPrinter } from '../../tables/networking.js';
import { entry } from '../entry.js';
import { metaOnlyStatusUpdate } from '../strategy.js';

export const ingressclasses = entry<IngressClass>({
  info: resourceInfo({
    group: 'networking.k8s.io',
    version: 'v1',
    resource: 'ingressclasses',
    kind: 'IngressClass',
    namespaced: false,
  }),
  strategy: {
    defaults: setDefaultsIngressClass,
    validateCreate: validateIngressClass,
    validateUpdate: validateIngressClassUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  },
  printer: ingressClassPrinter,
});
