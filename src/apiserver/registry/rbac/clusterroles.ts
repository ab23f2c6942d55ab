// rbac.authorization.k8s.io/v1 clusterroles: cluster-wide sets of rules, possibly aggregated from
// other ClusterRoles by label (upstream's pkg/registry/rbac/clusterrole).
import type { ClusterRole } from '../../../api/rbac.js';
import { validateClusterRole, validateClusterRoleUpdate } from '../../../api/validation/rbac.js';
import { resourceInfo } from '../../resources.js';
import { defaultPrinter } from '../../tables/default.js';
import { entry } from '../entry.js';
import { roleEscalationHooks } from './escalation-hooks.js';
import { metaOnlyStatusUpdate, noDefaults } from '../strategy.js';

export const clusterroles = entry<ClusterRole>({
  info: resourceInfo({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', kind: 'ClusterRole', namespaced: false }),
  hooks: roleEscalationHooks('clusterroles'),
  strategy: {
    defaults: noDefaults,
    validateCreate: validateClusterRole,
    validateUpdate: validateClusterRoleUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  },
  printer: defaultPrinter,
});
