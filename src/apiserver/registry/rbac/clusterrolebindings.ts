// rbac.authorization.k8s.io/v1 clusterrolebindings: grant a ClusterRole everywhere
// (upstream's pkg/registry/rbac/clusterrolebinding).
import { defaultRoleBinding } from '../../../api/defaults/rbac.js';
import type { ClusterRoleBinding } from '../../../api/rbac.js';
import { validateClusterRoleBinding, validateClusterRoleBindingUpdate } from '../../../api/validation/rbac.js';
import { resourceInfo } from '../../resources.js';
import { roleBindingPrinter } from '../../tables/rbac.js';
import { entry } from '../entry.js';
import { bindingEscalationHooks } from './escalation-hooks.js';
import { metaOnlyStatusUpdate } from '../strategy.js';

export const clusterrolebindings = entry<ClusterRoleBinding>({
  info: resourceInfo({
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
    namespaced: false,
  }),
  hooks: bindingEscalationHooks('clusterrolebindings'),
  strategy: {
    defaults: defaultRoleBinding,
    validateCreate: validateClusterRoleBinding,
    validateUpdate: validateClusterRoleBindingUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  },
  printer: roleBindingPrinter,
});
