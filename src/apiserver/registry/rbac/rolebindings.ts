// rbac.authorization.k8s.io/v1 rolebindings: grant a Role or ClusterRole within one namespace
// (upstream's pkg/registry/rbac/rolebinding).
import { defaultRoleBinding } from '../../../api/defaults/rbac.js';
import type { RoleBinding } from '../../../api/rbac.js';
import { validateRoleBinding, validateRoleBindingUpdate } from '../../../api/validation/rbac.js';
import { resourceInfo } from '../../resources.js';
import { roleBindingPrinter } from '../../tables/rbac.js';
import { entry } from '../entry.js';
import { bindingEscalationHooks } from './escalation-hooks.js';
import { metaOnlyStatusUpdate } from '../strategy.js';

export const rolebindings = entry<RoleBinding>({
  info: resourceInfo({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', kind: 'RoleBinding' }),
  hooks: bindingEscalationHooks('rolebindings'),
  strategy: {
    defaults: defaultRoleBinding,
    validateCreate: validateRoleBinding,
    validateUpdate: validateRoleBindingUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  },
  printer: roleBindingPrinter,
});
