// core/v1 endpoints: written by the Endpoints controller (or by users, for Services without a selector).
import type { Endpoints } from '../../../api/core.js';
import { setDefaultsEndpoints } from '../../../api/defaults/others.js';
import { validateEndpoints, validateEndpointsUpdate } from '../../../api/validation/endpoints.js';
import { resourceInfo } from '../../resources.js';
import { endpointsPrinter } from '../../tables/endpoints.js';
import { entry } from '../entry.js';
import { metaOnlyStatusUpdate } from '../strategy.js';

export const endpoints = entry<Endpoints>({
  info: resourceInfo({
    group: '',
    version: 'v1',
    resource: 'endpoints',
    kind: 'Endpoints',
    singular: 'endpoints',
    shortNames: ['ep'],
    createOnUpdate: true,
  }),
  strategy: {
    defaults: setDefaultsEndpoints,
    validateCreate: validateEndpoints,
    validateUpdate: validateEndpointsUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  },
  printer: endpointsPrinter,
});
