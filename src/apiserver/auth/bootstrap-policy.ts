// The authorization policy every cluster starts with, until RBAC objects are served (the API
// issue): upstream's bootstrap ClusterRoles and ClusterRoleBindings that apply to the identities
// this cluster issues, plus kubeadm's binding for its admin group. Nothing else is allowed, so a
// certificate the cluster CA signed for some other purpose (or CN=nobody) can read discovery and
// nothing more.
import type { ClusterRole, ClusterRoleBinding } from './rbac-rules.js';
import { allAuthenticated, allUnauthenticated, clusterAdminsGroup, systemPrivilegedGroup } from './user.js';

export const bootstrapClusterRoles: readonly ClusterRole[] = [
  {
    name: 'cluster-admin',
    rules: [
      { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
      { verbs: ['*'], nonResourceURLs: ['*'] },
    ],
  },
  {
    // What clients need to find out what the server serves (kubectl's discovery, /openapi).
    name: 'system:discovery',
    rules: [
      {
        verbs: ['get'],
        nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'],
      },
    ],
  },
  {
    name: 'system:public-info-viewer',
    rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] }],
  },
  {
    // Lets a user ask what they may do (`kubectl auth can-i`, `kubectl auth whoami`) once those APIs are served.
    name: 'system:basic-user',
    rules: [
      { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
      { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
    ],
  },
];

export const bootstrapClusterRoleBindings: readonly ClusterRoleBinding[] = [
  { name: 'cluster-admin', roleRef: 'cluster-admin', subjects: [{ kind: 'Group', name: systemPrivilegedGroup }] },
  // kubeadm's (1.29+) binding for admin.conf's group.
  { name: 'kubeadm:cluster-admins', roleRef: 'cluster-admin', subjects: [{ kind: 'Group', name: clusterAdminsGroup }] },
  { name: 'system:discovery', roleRef: 'system:discovery', subjects: [{ kind: 'Group', name: allAuthenticated }] },
  {
    name: 'system:public-info-viewer',
    roleRef: 'system:public-info-viewer',
    subjects: [
      { kind: 'Group', name: allAuthenticated },
      { kind: 'Group', name: allUnauthenticated },
    ],
  },
  { name: 'system:basic-user', roleRef: 'system:basic-user', subjects: [{ kind: 'Group', name: allAuthenticated }] },
];
