// ResourceRefs of the kinds components use, so call sites read `client.get(R.pods, ns, name)`.
import type { ResourceRef } from './client.js';

const r = (group: string, version: string, resource: string, kind: string, namespaced = true): ResourceRef => ({
  group,
  version,
  resource,
  kind,
  namespaced,
});

export const R = {
  namespaces: r('', 'v1', 'namespaces', 'Namespace', false),
  services: r('', 'v1', 'services', 'Service'),
  endpoints: r('', 'v1', 'endpoints', 'Endpoints'),
  pods: r('', 'v1', 'pods', 'Pod'),
  nodes: r('', 'v1', 'nodes', 'Node', false),
  events: r('', 'v1', 'events', 'Event'),
  deployments: r('apps', 'v1', 'deployments', 'Deployment'),
  replicasets: r('apps', 'v1', 'replicasets', 'ReplicaSet'),
  statefulsets: r('apps', 'v1', 'statefulsets', 'StatefulSet'),
  daemonsets: r('apps', 'v1', 'daemonsets', 'DaemonSet'),
  controllerrevisions: r('apps', 'v1', 'controllerrevisions', 'ControllerRevision'),
  jobs: r('batch', 'v1', 'jobs', 'Job'),
  cronjobs: r('batch', 'v1', 'cronjobs', 'CronJob'),
  endpointslices: r('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
  leases: r('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  configmaps: r('', 'v1', 'configmaps', 'ConfigMap'),
  secrets: r('', 'v1', 'secrets', 'Secret'),
  serviceaccounts: r('', 'v1', 'serviceaccounts', 'ServiceAccount'),
  persistentvolumes: r('', 'v1', 'persistentvolumes', 'PersistentVolume', false),
  persistentvolumeclaims: r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim'),
  storageclasses: r('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false),
  ingresses: r('networking.k8s.io', 'v1', 'ingresses', 'Ingress'),
  ingressclasses: r('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  // The Gateway API, served from its CustomResourceDefinitions (installed by `up`).
  gatewayclasses: r('gateway.networking.k8s.io', 'v1', 'gatewayclasses', 'GatewayClass', false),
  gateways: r('gateway.networking.k8s.io', 'v1', 'gateways', 'Gateway'),
  httproutes: r('gateway.networking.k8s.io', 'v1', 'httproutes', 'HTTPRoute'),
  referencegrants: r('gateway.networking.k8s.io', 'v1', 'referencegrants', 'ReferenceGrant'),
  roles: r('rbac.authorization.k8s.io', 'v1', 'roles', 'Role'),
  clusterroles: r('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  rolebindings: r('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding'),
  clusterrolebindings: r('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  certificatesigningrequests: r('certificates.k8s.io', 'v1', 'certificatesigningrequests', 'CertificateSigningRequest', false),
  subjectaccessreviews: r('authorization.k8s.io', 'v1', 'subjectaccessreviews', 'SubjectAccessReview', false),
} as const;
