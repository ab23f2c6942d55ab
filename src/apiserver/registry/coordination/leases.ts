// coordination.k8s.io/v1 leases: node heartbeats (kube-node-lease) and leader election.
import { validateLease, validateLeaseUpdate, type Lease } from '../../../api/validation/lease.js';
import { resourceInfo } from '../../resources.js';
import { leasePrinter } from '../../tables/simple.js';
import { entry } from '../entry.js';
import { metaOnlyStatusUpdate, noDefaults } from '../strategy.js';

export const leases = entry<Lease>({
  info: resourceInfo({
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    kind: 'Lease',
    createOnUpdate: true,
  }),
  strategy: {
    // upstream's lease strategy: a PUT must name the version it replaces.
    allowUnconditionalUpdate: false,
    defaults: noDefaults,
    validateCreate: validateLease,
    validateUpdate: validateLeaseUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  },
  printer: leasePrinter,
});
