// The per-kind defaulting and validation the API server applies on every write, keyed by
// Kind. Each entry wires upstream's SetDefaults_* and Validate*{,Update,StatusUpdate}.
import type { FieldError } from '../machinery/field.js';
import type { Deployment, ReplicaSet } from './apps.js';
import type { ConfigMap, Endpoints, Event, Namespace, Node, Pod, Secret, Service, ServiceAccount } from './core.js';
import type { EndpointSlice } from './discovery.js';
import type { KubeObject } from './meta.js';
import { setDefaultsDeployment, setDefaultsReplicaSet } from './defaults/apps.js';
import { setDefaultsEndpoints, setDefaultsEndpointSlice, setDefaultsNamespace, setDefaultsNode } from './defaults/others.js';
import { setDefaultsPod } from './defaults/pod.js';
import { setDefaultsService } from './defaults/service.js';
import { setDefaultsSecret } from './defaults/secret.js';
import { cleanSecretReferences } from './defaults/serviceaccount.js';
import { validateConfigMap, validateConfigMapUpdate } from './validation/configmap.js';
import { validateSecret, validateSecretUpdate } from './validation/secret.js';
import { validateServiceAccount, validateServiceAccountUpdate } from './validation/serviceaccount.js';
import { validateDeployment, validateDeploymentStatusUpdate, validateDeploymentUpdate } from './validation/deployment.js';
import { validateEndpoints, validateEndpointsUpdate } from './validation/endpoints.js';
import { validateEndpointSlice, validateEndpointSliceUpdate } from './validation/endpointslice.js';
import { validateEvent } from './validation/event.js';
import { validateLease, validateLeaseUpdate, type Lease } from './validation/lease.js';
import { validateNamespace, validateNamespaceStatusUpdate, validateNamespaceUpdate } from './validation/namespace.js';
import { validateNode, validateNodeUpdate } from './validation/node.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './validation/objectmeta.js';
import { pathSegmentNameProblems } from './validation/names.js';
import { validatePodCreate, validatePodStatusUpdate, validatePodUpdate } from './validation/pod.js';
import { validateReplicaSet, validateReplicaSetStatusUpdate, validateReplicaSetUpdate } from './validation/replicaset.js';
import { validateServiceCreate, validateServiceStatusUpdate, validateServiceUpdate } from './validation/service.js';
import { Path } from '../machinery/field.js';

// Upstream defaults every decoded body, status writes included (LoadBalancer ingress gets
// ipMode VIP). Validating a defaulted copy gives the same verdict when a caller skipped that.
function withDefaults<T extends KubeObject>(defaults: (o: T) => void, validate: (o: T, old: T) => FieldError[]) {
  return (obj: T, old: T): FieldError[] => {
    const copy = structuredClone(obj);
    defaults(copy);
    return validate(copy, old);
  };
}

export interface KindRules<T extends KubeObject = KubeObject> {
  /** upstream's SetDefaults_* for the v1 type, applied in place (on create and on update) */
  defaults(obj: T): void;
  validateCreate(obj: T): FieldError[];
  validateUpdate(obj: T, old: T): FieldError[];
  /** the /status subresource update */
  validateStatusUpdate(obj: T, old: T): FieldError[];
}

// Kinds without a status subresource of their own still get the metadata rules there.
function metaOnlyStatusUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  return validateObjectMetaUpdate(obj.metadata, old.metadata, Path.root('metadata'));
}

function rules<T extends KubeObject>(r: KindRules<T>): KindRules {
  return r as unknown as KindRules;
}

const noDefaults = (): void => {};

/** keyed by Kind: 'Service', 'Pod', 'Namespace', 'Node', 'Endpoints', 'Event', 'ConfigMap', 'Secret', 'ServiceAccount', 'Deployment', 'ReplicaSet', 'EndpointSlice', 'Lease' */
export const kindRules: Record<string, KindRules> = {
  Service: rules<Service>({
    defaults: setDefaultsService,
    validateCreate: validateServiceCreate,
    validateUpdate: validateServiceUpdate,
    validateStatusUpdate: withDefaults(setDefaultsService, validateServiceStatusUpdate),
  }),
  Pod: rules<Pod>({
    defaults: setDefaultsPod,
    validateCreate: validatePodCreate,
    validateUpdate: validatePodUpdate,
    validateStatusUpdate: validatePodStatusUpdate,
  }),
  Namespace: rules<Namespace>({
    defaults: setDefaultsNamespace,
    validateCreate: validateNamespace,
    validateUpdate: validateNamespaceUpdate,
    validateStatusUpdate: validateNamespaceStatusUpdate,
  }),
  Node: rules<Node>({
    defaults: setDefaultsNode,
    validateCreate: validateNode,
    validateUpdate: validateNodeUpdate,
    // Upstream's node status strategy runs the full update validation.
    validateStatusUpdate: validateNodeUpdate,
  }),
  Endpoints: rules<Endpoints>({
    defaults: setDefaultsEndpoints,
    validateCreate: validateEndpoints,
    validateUpdate: validateEndpointsUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  }),
  Event: rules<Event>({
    defaults: noDefaults,
    // Upstream's generic registry checks every object's metadata after the kind's own rules
    // (ValidateObjectMetaAccessor with IsValidPathSegmentName): core/v1 Events get nothing
    // stricter, but a name like "a/b" or ".." would be a path no client could address.
    validateCreate: (ev) => [...validateEvent(ev), ...validateObjectMeta(ev.metadata, true, (n) => pathSegmentNameProblems(n), Path.root('metadata'), false)],
    // core/v1 Events are re-checked with the same legacy rules on update.
    validateUpdate: (ev) => validateEvent(ev),
    validateStatusUpdate: metaOnlyStatusUpdate,
  }),
  ConfigMap: rules<ConfigMap>({
    defaults: noDefaults,
    validateCreate: validateConfigMap,
    validateUpdate: validateConfigMapUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  }),
  Secret: rules<Secret>({
    // The stringData merge is upstream's conversion, which every write goes through.
    defaults: setDefaultsSecret,
    validateCreate: validateSecret,
    validateUpdate: validateSecretUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  }),
  ServiceAccount: rules<ServiceAccount>({
    // cleanSecretReferences is the strategy's PrepareForCreate and PrepareForUpdate alike.
    defaults: cleanSecretReferences,
    validateCreate: validateServiceAccount,
    validateUpdate: validateServiceAccountUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  }),
  Deployment: rules<Deployment>({
    defaults: setDefaultsDeployment,
    validateCreate: validateDeployment,
    validateUpdate: validateDeploymentUpdate,
    validateStatusUpdate: validateDeploymentStatusUpdate,
  }),
  ReplicaSet: rules<ReplicaSet>({
    defaults: setDefaultsReplicaSet,
    validateCreate: validateReplicaSet,
    validateUpdate: validateReplicaSetUpdate,
    validateStatusUpdate: validateReplicaSetStatusUpdate,
  }),
  EndpointSlice: rules<EndpointSlice>({
    defaults: setDefaultsEndpointSlice,
    validateCreate: validateEndpointSlice,
    validateUpdate: validateEndpointSliceUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  }),
  Lease: rules<Lease>({
    defaults: noDefaults,
    validateCreate: validateLease,
    validateUpdate: validateLeaseUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  }),
};
