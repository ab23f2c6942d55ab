// RoleBindings and ClusterRoleBindings: the role as Kind/name, and (wide) who it is granted to,
// as upstream's printRoleBinding with rbac.SubjectsStrings.
import type { RoleBinding, Subject } from '../../api/rbac.js';
import { since } from './duration.js';
import { ageCol, col, nameCol, type Printer } from './types.js';

/** Users, groups and service accounts (`namespace/name`) of a binding's subjects. */
export function subjectsStrings(subjects: readonly Subject[] | undefined): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const out = { users: [] as string[], groups: [] as string[], serviceAccounts: [] as string[] };
  for (const s of subjects ?? []) {
    if (s.kind === 'User') out.users.push(s.name);
    else if (s.kind === 'Group') out.groups.push(s.name);
    else if (s.kind === 'ServiceAccount') out.serviceAccounts.push(`${s.namespace ?? ''}/${s.name}`);
  }
  return out;
}

export const roleBindingPrinter: Printer<RoleBinding> = {
  columns: [
    nameCol(),
    col('Role', 'string', 'Role this binding grants, as Kind/name.'),
    ageCol(),
    col('Users', 'string', 'Users in the binding.', 1),
    col('Groups', 'string', 'Groups in the binding.', 1),
    col('ServiceAccounts', 'string', 'ServiceAccounts in the binding.', 1),
  ],
  cells(b, now) {
    const s = subjectsStrings(b.subjects);
    return [
      b.metadata.name ?? '',
      `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`,
      since(b.metadata.creationTimestamp, now),
      s.users.join(', '),
      s.groups.join(', '),
      s.serviceAccounts.join(', '),
    ];
  },
};
