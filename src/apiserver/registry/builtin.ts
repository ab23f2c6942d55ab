// The built-in kinds, in the order discovery lists them. Adding one: its types (src/api/), its
// validation (src/api/validation/), its entry (registry/<group>/<resource>.ts), its printer
// (tables/), and a line here.
import { customresourcedefinitions } from './apiextensions/customresourcedefinitions.js';
import { deployments } from './apps/deployments.js';
import { replicasets } from './apps/replicasets.js';
import { statefulsets } from './apps/statefulsets.js';
import { daemonsets } from './apps/daemonsets.js';
import { controllerrevisions } from './apps/controllerrevisions.js';
import { cronjobs } from './batch/cronjobs.js';
import { jobs } from './batch/jobs.js';
import { leases } from './coordination/leases.js';
import { configmaps } from './core/configmaps.js';
import { endpoints } from './core/endpoints.js';
import { events } from './core/events.js';
import { namespaces } from './core/namespaces.js';
import { nodes } from './core/nodes.js';
import { persistentvolumeclaims } from './core/persistentvolumeclaims.js';
import { persistentvolumes } from './core/persistentvolumes.js';
import { pods } from './core/pods.js';
import { secrets } from './core/secrets.js';
import { serviceaccounts } from './core/serviceaccounts.js';
import { services } from './core/services.js';
import { endpointslices } from './discovery/endpointslices.js';
import { ingressclasses } from './networking/ingressclasses.js';
import { ingresses } from './networking/ingresses.js';
import { ipaddresses } from './networking/ipaddresses.js';
import { servicecidrs } from './networking/servicecidrs.js';
import { certificatesigningrequests } from './certificates/certificatesigningrequests.js';
import type { RegistryEntry } from './entry.js';
import { selfsubjectreviews } from './authentication/selfsubjectreviews.js';
import { tokenreviews } from './authentication/tokenreviews.js';
import { selfsubjectaccessreviews } from './authorization/selfsubjectaccessreviews.js';
import { selfsubjectrulesreviews } from './authorization/selfsubjectrulesreviews.js';
import { subjectaccessreviews } from './authorization/subjectaccessreviews.js';
import { localsubjectaccessreviews } from './authorization/localsubjectaccessreviews.js';
import { clusterrolebindings } from './rbac/clusterrolebindings.js';
import { clusterroles } from './rbac/clusterroles.js';
import { rolebindings } from './rbac/rolebindings.js';
import { roles } from './rbac/roles.js';
import { Registry } from './registry.js';
import { storageclasses } from './storage/storageclasses.js';
import { nodemetrics } from './metrics/nodemetrics.js';
import { podmetrics } from './metrics/podmetrics.js';

export const builtinEntries: readonly RegistryEntry[] = [
  namespaces,
  services,
  endpoints,
  pods,
  nodes,
  events,
  configmaps,
  secrets,
  serviceaccounts,
  persistentvolumes,
  persistentvolumeclaims,
  deployments,
  replicasets,
  statefulsets,
  daemonsets,
  controllerrevisions,
  jobs,
  cronjobs,
  endpointslices,
  servicecidrs,
  certificatesigningrequests,
  ipaddresses,
  ingresses,
  ingressclasses,
  leases,
  storageclasses,
  clusterrolebindings,
  clusterroles,
  rolebindings,
  roles,
  selfsubjectaccessreviews,
  selfsubjectrulesreviews,
  subjectaccessreviews,
  localsubjectaccessreviews,
  selfsubjectreviews,
  tokenreviews,
  customresourcedefinitions,
  nodemetrics,
  podmetrics,
];

/** A registry serving the built-in kinds; the server's own, and what tests that need one build. */
export function builtinRegistry(): Registry {
  return new Registry([...builtinEntries]);
}
