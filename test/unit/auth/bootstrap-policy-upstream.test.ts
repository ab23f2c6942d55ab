// kubesvc's default RBAC policy (what the API server writes at every start) against upstream's v1.32
// policy, role by role and rule by rule: the same ClusterRoles, ClusterRoleBindings, Roles and
// RoleBindings, no more and no fewer, each with the same rules (verbs, API groups, resources,
// resource names, non-resource URLs; order within a list not meaningful), aggregation rule, labels,
// annotations, roleRef and subjects. The objects a cluster installer adds beside the default policy
// are listed below, each with who writes it and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from '../../../src/api/rbac.js';
import {
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  bootstrapRoleBindings,
  bootstrapRoles,
} from '../../../src/apiserver/auth/bootstrap-policy.js';
import {
  group,
  sa,
  upstreamClusterRoleBindings,
  upstreamClusterRoles,
  upstreamControllerRoleBindings,
  upstreamControllerRoles,
  upstreamRoleBindings,
  upstreamRoles,
  type ExpectedBinding,
  type ExpectedRole,
} from '../../fixtures/rbac-bootstrap/upstream-v1.32.js';

const defaultsLabels = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const defaultsAnnotations = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

/** An object expected in the policy: its metadata as written, and its role or binding. */
type Expected<T> = T & { labels: Record<string, string> | undefined; annotations: Record<string, string> | undefined };
const asDefault = (r: ExpectedRole): Expected<ExpectedRole> => ({
  ...r,
  labels: { ...defaultsLabels, ...r.labels },
  annotations: defaultsAnnotations,
});
const asDefaultBinding = (b: ExpectedBinding): Expected<ExpectedBinding> => ({ ...b, labels: defaultsLabels, annotations: defaultsAnnotations });
const mapValues = <A, B>(o: Record<string, A>, f: (a: A) => B): Record<string, B> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

/**
 * Not upstream's default policy: what kubeadm, k3s and kubesvc itself install beside it for the
 * components kubesvc runs, written as those installers write them (no bootstrapping label, no
 * autoupdate annotation).
 */
const installerClusterRoles: Record<string, Expected<ExpectedRole> & { why: string }> = {
  'system:coredns': {
    why: "kubeadm's CoreDNS addon role: the cluster DNS server runs as kube-system/coredns",
    labels: undefined,
    annotations: undefined,
    rules: [
      { verbs: ['list', 'watch'], apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'] },
      { verbs: ['list', 'watch'], apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'] },
    ],
  },
  'kubesvc:servicelb-controller': {
    why: "kubesvc's own: the LoadBalancer address pool controller, which imitates MetalLB's controller (metallb-system:controller less its PodSecurityPolicy and webhook rules)",
    labels: { app: 'servicelb' },
    annotations: undefined,
    rules: [
      { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['services', 'namespaces'] },
      { verbs: ['list'], apiGroups: [''], resources: ['nodes'] },
      { verbs: ['update'], apiGroups: [''], resources: ['services/status'] },
      { verbs: ['create', 'patch'], apiGroups: [''], resources: ['events'] },
    ],
  },
  'local-path-provisioner-role': {
    why: "k3s's local-path provisioner role (local-storage.yaml): the default StorageClass's provisioner runs as its ServiceAccount",
    labels: undefined,
    annotations: undefined,
    rules: [
      { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['nodes', 'persistentvolumeclaims', 'configmaps', 'pods', 'pods/log'] },
      { verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'], apiGroups: [''], resources: ['persistentvolumes'] },
      { verbs: ['create', 'patch'], apiGroups: [''], resources: ['events'] },
      { verbs: ['get', 'list', 'watch'], apiGroups: ['storage.k8s.io'], resources: ['storageclasses'] },
    ],
  },
};
const installerClusterRoleBindings: Record<string, Expected<ExpectedBinding> & { why: string }> = {
  'kubeadm:cluster-admins': {
    why: "kubeadm 1.29+: admin.conf's group kubeadm:cluster-admins is cluster-admin through this binding, not system:masters",
    role: 'cluster-admin',
    subjects: [group('kubeadm:cluster-admins')],
    labels: undefined,
    annotations: undefined,
  },
  'system:coredns': { why: "kubeadm's CoreDNS addon binding", role: 'system:coredns', subjects: [sa('kube-system', 'coredns')], labels: undefined, annotations: undefined },
  'kubesvc:servicelb-controller': {
    why: "kubesvc's own LoadBalancer controller, as its ServiceAccount",
    role: 'kubesvc:servicelb-controller',
    subjects: [sa('kube-system', 'servicelb-controller')],
    labels: undefined,
    annotations: undefined,
  },
  'kubeadm:kubelet-bootstrap': {
    why: 'kubeadm: a default node token may create CertificateSigningRequests',
    role: 'system:node-bootstrapper',
    subjects: [group('system:bootstrappers:kubeadm:default-node-token')],
    labels: undefined,
    annotations: undefined,
  },
  'kubeadm:node-autoapprove-bootstrap': {
    why: "kubeadm: a default node token's kubelet client CSR is approved by csrapproving",
    role: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
    subjects: [group('system:bootstrappers:kubeadm:default-node-token')],
    labels: undefined,
    annotations: undefined,
  },
  'kubeadm:node-autoapprove-certificate-rotation': {
    why: "kubeadm: a node's renewal of its own client certificate is approved by csrapproving",
    role: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
    subjects: [group('system:nodes')],
    labels: undefined,
    annotations: undefined,
  },
  'local-path-provisioner-bind': {
    why: "k3s's local-path provisioner binding",
    role: 'local-path-provisioner-role',
    subjects: [sa('kube-system', 'local-path-provisioner-service-account')],
    labels: undefined,
    annotations: undefined,
  },
};

const expectedClusterRoles: Record<string, Expected<ExpectedRole>> = {
  ...mapValues(upstreamClusterRoles, asDefault),
  ...Object.fromEntries(Object.entries(upstreamControllerRoles).map(([name, r]) => [`system:controller:${name}`, asDefault(r)])),
  ...installerClusterRoles,
};
const expectedClusterRoleBindings: Record<string, Expected<ExpectedBinding>> = {
  ...mapValues(upstreamClusterRoleBindings, asDefaultBinding),
  ...mapValues(upstreamControllerRoleBindings, asDefaultBinding),
  ...installerClusterRoleBindings,
};

/** A rule as one canonical string: every field, each list sorted (duplicates kept). */
function ruleKey(r: PolicyRule): string {
  const fields = Object.entries(r)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, Array.isArray(v) ? [...(v as string[])].sort() : v] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(Object.fromEntries(fields));
}
const subjectKey = (s: object) => JSON.stringify(Object.fromEntries(Object.entries(s).sort(([a], [b]) => a.localeCompare(b))));

/** What differs between a rendered role and the expected one, as readable lines (none: equal). */
function roleDifferences(key: string, want: Expected<ExpectedRole>, got: Role | ClusterRole): string[] {
  const out: string[] = [];
  const eq = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!eq(got.metadata.labels, want.labels)) out.push(`${key}: labels ${JSON.stringify(got.metadata.labels)}, want ${JSON.stringify(want.labels)}`);
  if (!eq(got.metadata.annotations, want.annotations)) out.push(`${key}: annotations ${JSON.stringify(got.metadata.annotations)}, want ${JSON.stringify(want.annotations)}`);
  const wantAggregation = want.aggregateFrom ? { clusterRoleSelectors: [{ matchLabels: { [want.aggregateFrom]: 'true' } }] } : undefined;
  if (!eq((got as ClusterRole).aggregationRule, wantAggregation)) {
    out.push(`${key}: aggregationRule ${JSON.stringify((got as ClusterRole).aggregationRule)}, want ${JSON.stringify(wantAggregation)}`);
  }
  const have = (got.rules ?? []).map(ruleKey);
  const wanted = want.rules.map(ruleKey);
  const without = (xs: string[], ys: string[]) => {
    const rest = [...ys];
    return xs.filter((x) => {
      const i = rest.indexOf(x);
      if (i < 0) return true;
      rest.splice(i, 1);
      return false;
    });
  };
  for (const r of without(wanted, have)) out.push(`${key}: missing rule ${r}`);
  for (const r of without(have, wanted)) out.push(`${key}: extra rule ${r}`);
  return out;
}

function bindingDifferences(key: string, want: Expected<ExpectedBinding>, got: RoleBinding, roleKind: string): string[] {
  const out: string[] = [];
  const eq = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!eq(got.metadata.labels, want.labels)) out.push(`${key}: labels ${JSON.stringify(got.metadata.labels)}, want ${JSON.stringify(want.labels)}`);
  if (!eq(got.metadata.annotations, want.annotations)) out.push(`${key}: annotations ${JSON.stringify(got.metadata.annotations)}, want ${JSON.stringify(want.annotations)}`);
  const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: want.role };
  if (!eq(got.roleRef, roleRef)) out.push(`${key}: roleRef ${JSON.stringify(got.roleRef)}, want ${JSON.stringify(roleRef)}`);
  const subjects = (xs: object[] | undefined) => xs?.map(subjectKey).sort();
  if (!eq(subjects(got.subjects), subjects(want.subjects))) out.push(`${key}: subjects ${JSON.stringify(got.subjects)}, want ${JSON.stringify(want.subjects)}`);
  return out;
}

/** Every difference between what is rendered and what is expected, including objects missing or extra. */
function compare<T extends Role | RoleBinding, W>(
  kind: string,
  rendered: T[],
  expected: Record<string, W>,
  keyOf: (o: T) => string,
  diff: (key: string, want: W, got: T) => string[],
): string[] {
  const got = new Map(rendered.map((o) => [keyOf(o), o]));
  const out: string[] = [];
  if (got.size !== rendered.length) out.push(`${kind}: a name is written twice`);
  for (const [key, want] of Object.entries(expected)) {
    const o = got.get(key);
    if (!o) out.push(`${kind} ${key} is missing`);
    else out.push(...diff(`${kind} ${key}`, want, o));
  }
  for (const key of got.keys()) if (!(key in expected)) out.push(`${kind} ${key} is not upstream's nor an installer's`);
  return out;
}

const clusterKey = (o: { metadata: { name?: string } }) => o.metadata.name!;
const namespacedKey = (o: { metadata: { name?: string; namespace?: string } }) => `${o.metadata.namespace}/${o.metadata.name}`;

function policyDifferences(policy: { clusterRoles: ClusterRole[]; clusterRoleBindings: ClusterRoleBinding[]; roles: Role[]; roleBindings: RoleBinding[] }): string[] {
  return [
    ...compare('ClusterRole', policy.clusterRoles, expectedClusterRoles, clusterKey, roleDifferences),
    ...compare('ClusterRoleBinding', policy.clusterRoleBindings, expectedClusterRoleBindings, clusterKey, (k, w, g) => bindingDifferences(k, w, g, 'ClusterRole')),
    ...compare('Role', policy.roles, mapValues(upstreamRoles, asDefault), namespacedKey, roleDifferences),
    ...compare('RoleBinding', policy.roleBindings, mapValues(upstreamRoleBindings, asDefaultBinding), namespacedKey, (k, w, g) => bindingDifferences(k, w, g, 'Role')),
  ];
}

const rendered = () => ({
  clusterRoles: bootstrapClusterRoles(),
  clusterRoleBindings: bootstrapClusterRoleBindings(),
  roles: bootstrapRoles(),
  roleBindings: bootstrapRoleBindings(),
});

test('the default policy is upstream v1.32’s, object by object and rule by rule, plus the installers’ listed objects', () => {
  assert.deepEqual(policyDifferences(rendered()), []);
});

test('the comparison catches every kind of drift', () => {
  const cases: [string, (p: ReturnType<typeof rendered>) => void, RegExp][] = [
    ['a missing role', (p) => p.clusterRoles.splice(p.clusterRoles.findIndex((r) => r.metadata.name === 'system:heapster'), 1), /ClusterRole system:heapster is missing/],
    ['an extra role', (p) => p.roles.push({ ...structuredClone(p.roles[0]!), metadata: { ...p.roles[0]!.metadata, name: 'x' } }), /Role kube-public\/x is not upstream's/],
    ['a missing binding', (p) => p.roleBindings.pop(), /RoleBinding .* is missing/],
    ['an extra rule', (p) => p.clusterRoles.find((r) => r.metadata.name === 'view')!.rules!.push({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }), /view: extra rule/],
    ['a verb more', (p) => p.clusterRoles.find((r) => r.metadata.name === 'system:node-proxier')!.rules![0]!.verbs.push('get'), /system:node-proxier: missing rule .*extra rule/s],
    ['a resource less', (p) => p.clusterRoles.find((r) => r.metadata.name === 'system:kube-dns')!.rules![0]!.resources!.pop(), /system:kube-dns: missing rule/],
    ['a resourceName lost', (p) => delete p.clusterRoles.find((r) => r.metadata.name === 'system:kube-scheduler')!.rules![2]!.resourceNames, /system:kube-scheduler: missing rule .*resourceNames/s],
    ['an aggregation label lost', (p) => delete p.clusterRoles.find((r) => r.metadata.name === 'edit')!.metadata.labels!['rbac.authorization.k8s.io/aggregate-to-admin'], /ClusterRole edit: labels/],
    ['an aggregation rule changed', (p) => (p.clusterRoles.find((r) => r.metadata.name === 'admin')!.aggregationRule = { clusterRoleSelectors: [] }), /ClusterRole admin: aggregationRule/],
    ['an annotation lost', (p) => delete p.clusterRoleBindings[0]!.metadata.annotations, /annotations/],
    ['a subject more', (p) => p.clusterRoleBindings.find((b) => b.metadata.name === 'system:node')!.subjects = [group('system:nodes')], /system:node: subjects/],
  ];
  for (const [what, mutate, message] of cases) {
    const p = structuredClone(rendered());
    mutate(p);
    const found = policyDifferences(p);
    assert.ok(found.some((d) => message.test(d)) || message.test(found.join('\n')), `${what}: ${found.join('; ') || 'not noticed'}`);
  }
});

test('each installer object says why it is there, and none claims to be the default policy', () => {
  for (const [name, o] of [...Object.entries(installerClusterRoles), ...Object.entries(installerClusterRoleBindings)]) {
    assert.ok(o.why.length > 20, name);
    assert.equal(o.labels?.['kubernetes.io/bootstrapping'], undefined, name);
  }
});
