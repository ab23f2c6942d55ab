// rbac.authorization.k8s.io/v1 roles: namespaced sets of rules (upstream's pkg/registry/rbac/role).
import type { Role } from '../../../api/rbac.js';
import { validateRole, validateRoleUpdate } from '../../../api/validation/rbac.js';
import { resourceInfo } from '../../resources.js';
import { defaultPrinter } from '../../tables/default.js';
import { entry } from '../entry.js';
import { roleEscalationHooks } from './escalation-hooks.js';
import { metaOnlyStatusUpdate, noDefaults } from '../strategy.js';

export const roles = entry<Role>({
  info: resourceInfo({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', kind: 'Role' }),
  hooks: roleEscalationHooks('roles'),
  strategy: {
    defaults: noDefaults,
    validateCreate: validateRole,
    validateUpdate: validateRoleUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  },
  // Upstream prints roles as NAME, CREATED AT: the default table.
  printer: defaultPrinter,
});
