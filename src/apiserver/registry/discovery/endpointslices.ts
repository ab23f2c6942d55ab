// discovery.k8s.io/v1 endpointslices: written by the EndpointSlice and mirroring controllers.
import type { EndpointSlice } from '../../../api/discovery.js';
import { setDefaultsEndpointSlice } from '../../../api/defaults/others.js';
import { validateEndpointSlice, validateEndpointSliceUpdate } from '../../../api/validation/endpointslice.js';
import { fields, resourceInfo } from '../../resources.js';
import { endpointSlicePrinter } from '../../tables/endpoints.js';
import { entry } from '../entry.js';
import { metaOnlyStatusUpdate } from '../strategy.js';

export const endpointslices = entry<EndpointSlice>({
  info: resourceInfo({
    group: 'discovery.k8s.io',
    version: 'v1',
    resource: 'endpointslices',
    kind: 'EndpointSlice',
    fieldSelectors: fields('addressType'),
  }),
  strategy: {
    defaults: setDefaultsEndpointSlice,
    validateCreate: validateEndpointSlice,
    validateUpdate: validateEndpointSliceUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  },
  printer: endpointSlicePrinter,
});
