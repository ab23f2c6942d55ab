// networking.k8s.io/v1 ipaddresses (KEP-1880): one object per allocated ClusterIP, named by the
// address. Creating it is the allocation: storage lets only the first create of a name succeed,
// so API servers sharing etcd can never hand out one address twice.
import { validateIPAddress, validateIPAddressUpdate, type IPAddress } from '../../../api/validation/service-cidr.js';
import { resourceInfo } from '../../resources.js';
import { ipAddressPrinter } from '../../tables/simple.js';
import { entry } from '../entry.js';
import { metaOnlyStatusUpdate, noDefaults } from '../strategy.js';

export const ipaddresses = entry<IPAddress>({
  info: resourceInfo({
    group: 'networking.k8s.io',
    version: 'v1',
    resource: 'ipaddresses',
    kind: 'IPAddress',
    namespaced: false,
    shortNames: ['ip'],
  }),
  strategy: {
    defaults: noDefaults,
    validateCreate: validateIPAddress,
    validateUpdate: validateIPAddressUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  },
  printer: ipAddressPrinter,
});
