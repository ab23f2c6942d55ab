// rbac/v1 defaulting (SetDefaults_RoleBinding, SetDefaults_ClusterRoleBinding, SetDefaults_Subject):
// a roleRef and User/Group subjects belong to the RBAC group unless they say otherwise;
// ServiceAccounts are core objects, so their group stays empty.
import { rbacGroup, type RoleBinding } from '../rbac.js';

export function defaultRoleBinding(b: RoleBinding): void {
  if (b.roleRef && typeof b.roleRef === 'object' && !b.roleRef.apiGroup) b.roleRef.apiGroup = rbacGroup;
  for (const s of b.subjects ?? []) {
    if (!s || typeof s !== 'object' || s.apiGroup) continue;
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = rbacGroup;
  }
}
