// networking.k8s.io/v1 ingresses (upstream's pkg/registry/networking/ingress): status (the
// load-balancer addresses) belongs to the ingress controller; create runs DefaultIngressClass.
import type { Ingress } from '../../../api/networking.js';
import {
  ingressWarnings,
  validateIngressCreate,
  validateIngressStatusUpdate,
  validateIngressUpdate,
} from '../../../api/validation/ingress.js';
import { resourceInfo } from '../../resources.js';
import { ingressPrinter } from '../../tables/networking.js';
import { entry } from '../entry.js';
import { bumpGeneration, keepStatus, noDefaults, startGeneration } from '../strategy.js';
import { admitIngressClass } from './admission.js';

export const ingresses = entry<Ingress>({
  info: resourceInfo({
    group: 'networking.k8s.io',
    version: 'v1',
    resource: 'ingresses',
    kind: 'Ingress',
    shortNames: ['ing'],
    subresources: ['status'],
  }),
  strategy: {
    defaults: noDefaults,
    prepareForCreate(ing) {
      ing.status = {};
      startGeneration(ing);
    },
    prepareForUpdate(ing, old) {
      keepStatus(ing, old);
      bumpGeneration(ing, old);
    },
    validateCreate: validateIngressCreate,
    validateUpdate: validateIngressUpdate,
    validateStatusUpdate: validateIngressStatusUpdate,
    warningsOnCreate: ingressWarnings,
    warningsOnUpdate: ingressWarnings,
  },
  hooks: (deps) => ({ admit: admitIngressClass(() => deps.store('networking.k8s.io', 'ingressclasses')) }),
  printer: ingressPrinter,
});
