// Who a request is from, in the shape of upstream's user.Info, and the well-known names the
// authorizer and the certificates the cluster issues agree on.

export interface UserInfo {
  name: string;
  groups: string[];
  /** Set by authenticators that know one (a ServiceAccount token: the ServiceAccount's uid). */
  uid?: string;
  /** What else the authenticator knows (a pod-bound token: the pod's name and uid). */
  extra?: Record<string, string[]>;
}

/** Anyone in it may do anything, whatever else is configured (upstream's privileged-group authorizer). */
export const systemPrivilegedGroup = 'system:masters';
/** Added to every authenticated user's groups. */
export const allAuthenticated = 'system:authenticated';
export const allUnauthenticated = 'system:unauthenticated';
/** Who a request with no credentials is, when anonymous requests are allowed (upstream's default). */
export const anonymousUser = 'system:anonymous';

/**
 * The identity of the admin kubeconfig, as kubeadm 1.29+ issues admin.conf: a group bound to
 * cluster-admin by a ClusterRoleBinding (here a built-in one until RBAC objects are served), so
 * that once bindings are stored the admin credential can be taken away without a new CA —
 * which a system:masters certificate cannot.
 */
export const clusterAdminUser = 'kubernetes-admin';
export const clusterAdminsGroup = 'kubeadm:cluster-admins';
