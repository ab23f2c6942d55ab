// core/v1 nodes: registered by each node agent, which also writes their status.
import type { Node } from '../../../api/core.js';
import { setDefaultsNode } from '../../../api/defaults/others.js';
import { validateNode, validateNodeUpdate } from '../../../api/validation/node.js';
import { fields, resourceInfo } from '../../resources.js';
import { nodePrinter } from '../../tables/node.js';
import { entry } from '../entry.js';
import { keepStatus } from '../strategy.js';
import { nodeProxyREST } from './node-proxy.js';

export const nodes = entry<Node>({
  info: resourceInfo({
    group: '',
    version: 'v1',
    resource: 'nodes',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status', 'proxy'],
    fieldSelectors: fields('spec.unschedulable'),
  }),
  strategy: {
    defaults: setDefaultsNode,
    prepareForUpdate: keepStatus,
    validateCreate: validateNode,
    validateUpdate: validateNodeUpdate,
    // Upstream's node status strategy runs the full update validation.
    validateStatusUpdate: validateNodeUpdate,
  },
  subresources: (deps) => ({ proxy: nodeProxyREST(() => deps.store('', 'nodes'), deps.kubelet) }),
  printer: nodePrinter,
});
