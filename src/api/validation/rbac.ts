// rbac.authorization.k8s.io validation (upstream's pkg/apis/rbac/validation): rule shapes, role
// references, subjects, and a binding's roleRef that never changes once written.
import { fieldErr, GoSyntax, Path, type FieldError } from '../../machinery/field.js';
import type { LabelSelector } from '../meta.js';
import { rbacGroup, type ClusterRole, type PolicyRule, type Role, type RoleBinding, type RoleRef, type Subject } from '../rbac.js';
import { validateLabelSelector } from './labels.js';
import { nameIsDNSSubdomain, pathSegmentNameProblems, type NameValidator } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';

/** ValidateRBACName: RBAC names only have to be usable as a path segment (`system:node` is fine). */
const rbacName: NameValidator = (name) => pathSegmentNameProblems(name);

const meta = Path.root('metadata');

export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!rule.verbs?.length) errs.push(fieldErr.required(path.child('verbs'), 'verbs must contain at least one value'));
  if (rule.nonResourceURLs?.length) {
    if (namespaced) {
      errs.push(fieldErr.invalid(path.child('nonResourceURLs'), rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    }
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
      errs.push(
        fieldErr.invalid(path.child('nonResourceURLs'), rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'),
      );
    }
    return errs;
  }
  if (!rule.apiGroups?.length) errs.push(fieldErr.required(path.child('apiGroups'), 'resource rules must supply at least one api group'));
  if (!rule.resources?.length) errs.push(fieldErr.required(path.child('resources'), 'resource rules must supply at least one resource'));
  return errs;
}

function validateRules(rules: PolicyRule[] | undefined, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (rules ?? []).forEach((r, i) => errs.push(...validatePolicyRule(r ?? { verbs: [] }, namespaced, Path.root('rules').index(i))));
  return errs;
}

export function validateRole(role: Role): FieldError[] {
  return [...validateObjectMeta(role.metadata, true, rbacName, meta, false), ...validateRules(role.rules, true)];
}

export function validateRoleUpdate(role: Role, old: Role): FieldError[] {
  return [...validateRole(role), ...validateObjectMetaUpdate(role.metadata, old.metadata, meta, false)];
}

export function validateClusterRole(role: ClusterRole): FieldError[] {
  const errs = [...validateObjectMeta(role.metadata, false, rbacName, meta, false), ...validateRules(role.rules, false)];
  const agg = role.aggregationRule;
  if (agg) {
    const sp = Path.root('aggregationRule', 'clusterRoleSelectors');
    const selectors: LabelSelector[] = agg.clusterRoleSelectors ?? [];
    if (selectors.length === 0) errs.push(fieldErr.required(sp, 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((s, i) => errs.push(...validateLabelSelector(s, sp.index(i))));
  }
  return errs;
}

export function validateClusterRoleUpdate(role: ClusterRole, old: ClusterRole): FieldError[] {
  return [...validateClusterRole(role), ...validateObjectMetaUpdate(role.metadata, old.metadata, meta, false)];
}

/** ValidateRoleBindingSubject; `namespaced` is false for ClusterRoleBindings, whose ServiceAccounts must name their namespace. */
export function validateSubject(s: Subject, namespaced: boolean, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(fieldErr.required(path.child('name')));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) for (const m of nameIsDNSSubdomain(s.name, false)) errs.push(fieldErr.invalid(path.child('name'), s.name, m));
      if (s.apiGroup) errs.push(fieldErr.notSupported(path.child('apiGroup'), s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(fieldErr.required(path.child('namespace')));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== rbacGroup) errs.push(fieldErr.notSupported(path.child('apiGroup'), s.apiGroup ?? '', [rbacGroup]));
      break;
    default:
      errs.push(fieldErr.notSupported(path.child('kind'), s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(b: RoleBinding, namespaced: boolean): FieldError[] {
  const errs = validateObjectMeta(b.metadata, namespaced, rbacName, meta, false);
  const ref: Partial<RoleRef> = b.roleRef ?? {};
  const rp = Path.root('roleRef');
  if (ref.apiGroup !== rbacGroup) errs.push(fieldErr.notSupported(rp.child('apiGroup'), ref.apiGroup ?? '', [rbacGroup]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind ?? '')) errs.push(fieldErr.notSupported(rp.child('kind'), ref.kind ?? '', kinds));
  if (!ref.name) errs.push(fieldErr.required(rp.child('name')));
  else for (const m of rbacName(ref.name, false)) errs.push(fieldErr.invalid(rp.child('name'), ref.name, m));
  (b.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s ?? { kind: '', name: '' }, namespaced, Path.root('subjects').index(i))));
  return errs;
}

/** The roleRef as Go's %#v prints the internal struct, which is how upstream reports a changed one. */
function roleRefSyntax(r: Partial<RoleRef> | undefined): GoSyntax {
  const q = (v: string | undefined) => JSON.stringify(v ?? '');
  return new GoSyntax(`rbac.RoleRef{APIGroup:${q(r?.apiGroup)}, Kind:${q(r?.kind)}, Name:${q(r?.name)}}`);
}

function validateBindingUpdate(b: RoleBinding, old: RoleBinding, namespaced: boolean): FieldError[] {
  const errs = [...validateBinding(b, namespaced), ...validateObjectMetaUpdate(b.metadata, old.metadata, meta, false)];
  const n = b.roleRef ?? ({} as Partial<RoleRef>);
  const o = old.roleRef ?? ({} as Partial<RoleRef>);
  if (n.apiGroup !== o.apiGroup || n.kind !== o.kind || n.name !== o.name) {
    errs.push(fieldErr.invalid(Path.root('roleRef'), roleRefSyntax(n), 'cannot change roleRef'));
  }
  return errs;
}

export const validateRoleBinding = (b: RoleBinding): FieldError[] => validateBinding(b, true);
export const validateRoleBindingUpdate = (b: RoleBinding, old: RoleBinding): FieldError[] => validateBindingUpdate(b, old, true);
export const validateClusterRoleBinding = (b: RoleBinding): FieldError[] => validateBinding(b, false);
export const validateClusterRoleBindingUpdate = (b: RoleBinding, old: RoleBinding): FieldError[] => validateBindingUpdate(b, old, false);
