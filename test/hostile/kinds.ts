// The kinds the hostile corpus attacks: every kind the built-in registry serves (so a kind another
// change adds is attacked as soon as it is registered), and the custom resources of a few CRDs
// with structural schemas and CEL rules (Gateway API's HTTPRoute and Gateway, and Gadget, a small
// CRD of our own with int-or-string, an embedded resource, preserve-unknown-fields, formats and
// transition rules). Each kind needs a valid object to start from; a kind without one below gets a
// bare object, and its cases fail with "fixture refused" until one is added here.
import { builtinEntries } from '../../src/apiserver/registry/builtin.js';
import type { SchemaNode } from '../../src/api/schema/index.js';
import { gatewayCRD } from '../unit/api/apiextensions/fixtures.js';

export const ns = 'hostile';

export interface Kind {
  kind: string;
  apiVersion: string;
  /** Collection path for create/list/watch, in the `hostile` namespace when namespaced. */
  collection: string;
  namespaced: boolean;
  /** Verbs served (the access reviews only create, and store nothing). */
  verbs: string[];
  /** A valid object of this kind named `name` (apps kinds run 0 replicas, so nothing is started). */
  base(name: string): Record<string, any>;
  /** Subresources with their own verbs, as served. */
  status: boolean;
  scale: boolean;
  /** Custom resources refuse strategic merge patch (415). */
  strategicMergePatch: boolean;
  /** The schema the corpus takes its leaves from, for kinds without generated definitions (custom resources). */
  schema?: SchemaNode;
  /** The CRD that serves this kind, created before its fixture. */
  crd?: Record<string, any>;
  /** Names this kind's cases give new objects (CRDs must be named `<plural>.<group>`). */
  freshName(serial: number): string;
  /** The object update, patch and delete cases aim at. */
  fixture: string;
}

/** Whether objects of the kind are stored (get, update, patch, delete, list, watch can aim at them). */
export const stored = (k: Kind) => k.verbs.includes('get') && k.verbs.includes('create');
/** Kinds only read, never written (metrics.k8s.io): every write is refused with 405. */
export const readOnly = (k: Kind) => !k.verbs.includes('create');

const pause = { name: 'c', image: 'registry.k8s.io/pause' };
const podTemplate = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [pause] } });
const rbac = 'rbac.authorization.k8s.io';
const crdGroup = 'hostile.kubesvc.io';

// What each kind's valid object holds besides apiVersion, kind and metadata.name.
const bodies: Record<string, (name: string) => Record<string, any>> = {
  Namespace: () => ({}),
  Service: () => ({ metadata: { labels: { tier: 'fx' } }, spec: { type: 'ClusterIP', selector: { app: 'fx' }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }] } }),
  Endpoints: () => ({ metadata: { labels: { app: 'fx' } }, subsets: [] }),
  // Bound to a node that does not exist: a Pod a bug lets in never starts a process, and goes at once.
  Pod: () => ({ metadata: { labels: { app: 'fxpod' } }, spec: { nodeName: 'hostile-nowhere', containers: [pause] } }),
  // Unschedulable and tainted, so a Node a bug lets in never receives a pod.
  Node: () => ({ metadata: { labels: { app: 'fx' } }, spec: { unschedulable: true, taints: [{ key: 'hostile', effect: 'NoSchedule' }] } }),
  Event: () => ({ involvedObject: { kind: 'Pod', namespace: ns, name: 'x' }, reason: 'Test', message: 'm', type: 'Normal', count: 1 }),
  Deployment: (name) => ({ metadata: { labels: { app: 'fx' } }, spec: { replicas: 0, selector: { matchLabels: { app: `d-${name}` } }, template: podTemplate(`d-${name}`) } }),
  ReplicaSet: (name) => ({ metadata: { labels: { app: 'fx' } }, spec: { replicas: 0, selector: { matchLabels: { app: `r-${name}` } }, template: podTemplate(`r-${name}`) } }),
  StatefulSet: (name) => ({
    metadata: { labels: { app: 'fx' } },
    spec: { replicas: 0, serviceName: 'fx', selector: { matchLabels: { app: `s-${name}` } }, template: podTemplate(`s-${name}`) },
  }),
  // A node selector no node has: a DaemonSet a bug lets in never places a pod.
  DaemonSet: (name) => ({
    metadata: { labels: { app: 'fx' } },
    spec: { selector: { matchLabels: { app: `ds-${name}` } }, template: { ...podTemplate(`ds-${name}`), spec: { containers: [pause], nodeSelector: { 'kubesvc.test/none': 'x' } } } },
  }),
  ControllerRevision: () => ({ metadata: { labels: { app: 'fx' } }, data: { spec: { template: {} } }, revision: 1 }),
  // Suspended: the cases exercise the API, not running pods.
  Job: () => ({
    metadata: { labels: { app: 'fx' } },
    spec: { suspend: true, backoffLimit: 1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'registry.k8s.io/pause', command: ['true'] }] } } },
  }),
  CronJob: () => ({
    metadata: { labels: { app: 'fx' } },
    spec: { schedule: '@yearly', suspend: true, jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [pause] } } } } },
  }),
  EndpointSlice: () => ({
    metadata: { labels: { app: 'fx' } },
    addressType: 'IPv4', endpoints: [{ addresses: ['10.1.2.3'], conditions: { ready: true } }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  }),
  ConfigMap: () => ({ metadata: { labels: { app: 'fx' } }, data: { 'app.properties': 'a=b' }, binaryData: { blob: 'AAEC' } }),
  Secret: () => ({ metadata: { labels: { app: 'fx' } }, type: 'Opaque', data: { password: 'czNjcjN0' } }),
  ServiceAccount: () => ({ metadata: { labels: { app: 'fx' } }, imagePullSecrets: [{ name: 'pull' }], automountServiceAccountToken: false }),
  Lease: () => ({ metadata: { labels: { app: 'fx' } }, spec: { holderIdentity: 'h', leaseDurationSeconds: 15 } }),
  // A class no provisioner serves and no other volume has: nothing binds or provisions for these.
  PersistentVolume: () => ({
    metadata: { labels: { app: 'fx' } },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'hostile-none', hostPath: { path: '/nonexistent/hostile' } },
  }),
  PersistentVolumeClaim: () => ({
    metadata: { labels: { app: 'fx' } },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'hostile-none', resources: { requests: { storage: '1Gi' } } },
  }),
  StorageClass: () => ({ metadata: { labels: { app: 'fx' } }, provisioner: 'example.com/hostile-none', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' }),
  // A range no Service allocates from (kubesvc allocates from --service-cidr).
  ServiceCIDR: () => ({ metadata: { labels: { app: 'fx' } }, spec: { cidrs: ['198.51.100.0/28'] } }),
  // A real PKCS#10 request (openssl, CN=hostile-fixture) for a signer nobody serves, so no controller acts on it.
  CertificateSigningRequest: () => ({
    metadata: { labels: { app: 'fx' } },
    spec: { request: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIVU1Id0NBUUF3R2pFWU1CWUdBMVVFQXd3UGFHOXpkR2xzWlMxbWFYaDBkWEpsTUZrd0V3WUhLb1pJemowQwpBUVlJS29aSXpqMERBUWNEUWdBRXhGRk9YZVVxRlRQci9leW5nbjJJeGozY1Iwak44c0gvKzhTZUdkZEJWZUlBClRnemQxR2NncTVuQUxiNUJ1STNBRDBRZWRoaW1scTU0V2ZXZDRPMjNGcUFBTUFvR0NDcUdTTTQ5QkFNQ0EwZ0EKTUVVQ0lBcWhrbVl1aEJOZTRrMVhzbm94c3BZOEFNWUYwYXdqa1pnVm9qN0VLam5rQWlFQXJBOVUwcUJyeUY3QwowVDloUXk1R1I0Q0hiWWdNSGFwaFVDUHJIMFN3eCtzPQotLS0tLUVORCBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K', signerName: 'example.com/hostile', usages: ['client auth'] },
  }),
  // Outside the service CIDR, so the repair loop leaves it alone (it only collects its own, in range).
  IPAddress: () => ({ metadata: { labels: { app: 'fx' } }, spec: { parentRef: { group: '', resource: 'services', namespace: ns, name: 'fx' } } }),
  // A class no controller serves, so the built-in ingress controller leaves these alone.
  Ingress: () => ({
    metadata: { labels: { app: 'fx' } },
    spec: {
      ingressClassName: 'hostile-none',
      tls: [{ hosts: ['www.example.com'], secretName: 'fx-tls' }],
      rules: [{ host: 'www.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'fx', port: { number: 80 } } } }] } }],
    },
  }),
  IngressClass: () => ({ metadata: { labels: { app: 'fx' } }, spec: { controller: 'example.com/hostile-none' } }),
  Role: () => ({ metadata: { labels: { app: 'fx' } }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
  ClusterRole: () => ({ metadata: { labels: { app: 'fx' } }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
  // Bound to a user nobody is, to a role that grants only reading pods.
  RoleBinding: () => ({
    metadata: { labels: { app: 'fx' } },
    roleRef: { apiGroup: rbac, kind: 'Role', name: 'fx-role' }, subjects: [{ kind: 'User', apiGroup: rbac, name: 'hostile-nobody' }],
  }),
  ClusterRoleBinding: () => ({
    metadata: { labels: { app: 'fx' } },
    roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'hostile-fx-clusterrole' }, subjects: [{ kind: 'User', apiGroup: rbac, name: 'hostile-nobody' }],
  }),
  SubjectAccessReview: () => ({ spec: { user: 'hostile-nobody', resourceAttributes: { namespace: ns, verb: 'get', resource: 'pods' } } }),
  SelfSubjectAccessReview: () => ({ spec: { resourceAttributes: { namespace: ns, verb: 'get', resource: 'pods' } } }),
  SelfSubjectRulesReview: () => ({ spec: { namespace: ns } }),
  SelfSubjectReview: () => ({}),
  TokenReview: () => ({ spec: { token: 'not-a-token' } }),
  CustomResourceDefinition: (name) => {
    const plural = name.split('.')[0]!;
    const kind = plural[0]!.toUpperCase() + plural.slice(1, -1);
    return {
      metadata: { labels: { app: 'fx' } },
      spec: {
        group: crdGroup, scope: 'Namespaced', names: { plural, singular: plural.slice(0, -1), kind, listKind: `${kind}List` },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
      },
    };
  },
  HTTPRoute: () => ({
    metadata: { labels: { app: 'fx' } },
    spec: {
      parentRefs: [{ name: 'hostile-gw' }], hostnames: ['www.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'svc', port: 80 }] }],
    },
  }),
  // A class no controller serves: nothing acts on a Gateway a bug lets in.
  Gateway: () => ({ metadata: { labels: { app: 'fx' } }, spec: { gatewayClassName: 'hostile-none', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] } }),
  Gadget: () => ({
    metadata: { labels: { app: 'fx' } },
    spec: { replicas: 1, port: 'http', address: '10.0.0.1', network: '10.0.0.0/8', timeout: '30s', size: '1Gi', mode: 'Safe', tags: ['a'], template: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, extra: { free: ['form'] } },
  }),
};

function objectOf(kind: string, apiVersion: string, name: string): Record<string, any> {
  const body = bodies[kind]?.(name) ?? {};
  return { apiVersion, kind, ...body, metadata: { ...(body['metadata'] ?? {}), name } };
}

// A small CRD of our own for what Gateway API's schemas do not have.
const gadgetCRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `gadgets.${crdGroup}` },
  spec: {
    group: crdGroup,
    scope: 'Namespaced',
    names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
    versions: [{
      name: 'v1', served: true, storage: true,
      subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            spec: {
              type: 'object',
              required: ['replicas'],
              properties: {
                replicas: { type: 'integer', format: 'int32', minimum: 0, maximum: 100 },
                port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
                address: { type: 'string', format: 'ipv4' },
                network: { type: 'string', format: 'cidr' },
                timeout: { type: 'string', format: 'duration' },
                size: {
                  'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }],
                  pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
                },
                mode: { type: 'string', enum: ['Fast', 'Safe'], default: 'Safe', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'mode is immutable' }] },
                tags: { type: 'array', maxItems: 8, items: { type: 'string', maxLength: 20 }, 'x-kubernetes-list-type': 'set' },
                template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
                extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
              'x-kubernetes-validations': [
                { rule: "self.replicas <= 50 || self.mode == 'Safe'", message: 'more than 50 replicas need mode Safe' },
                { rule: "!has(self.timeout) || duration(self.timeout) <= duration('1h')", messageExpression: "'timeout ' + string(self.timeout) + ' is over an hour'", reason: 'FieldValueForbidden', fieldPath: '.timeout' },
              ],
            },
            status: { type: 'object', properties: { replicas: { type: 'integer', format: 'int32' }, ready: { type: 'boolean' } } },
          },
        },
      },
    }],
  },
};

export const customResourceDefinitions: Record<string, any>[] = [gatewayCRD('httproutes') as Record<string, any>, gatewayCRD('gateways') as Record<string, any>, gadgetCRD];

const collectionOf = (group: string, version: string, resource: string, namespaced: boolean) =>
  `${group ? `/apis/${group}/${version}` : `/api/${version}`}${namespaced ? `/namespaces/${ns}` : ''}/${resource}`;

function builtinKind(e: (typeof builtinEntries)[number]): Kind {
  const { group, version, resource, kind, namespaced, verbs, subresources, strategicMergePatch } = e.info;
  const apiVersion = group ? `${group}/${version}` : version;
  // Cluster-scoped objects carry the prefix so they are told from the cluster's own.
  const prefix = namespaced ? '' : 'hostile-';
  const crd = kind === 'CustomResourceDefinition';
  // An IPAddress is named by its address (TEST-NET-2, which no cluster range uses).
  const ip = kind === 'IPAddress';
  return {
    kind, apiVersion, namespaced, verbs: [...verbs], strategicMergePatch,
    collection: collectionOf(group, version, resource, namespaced),
    status: subresources.includes('status'), scale: subresources.includes('scale'),
    base: (name) => objectOf(kind, apiVersion, name),
    freshName: (n) => (crd ? `h${n}s.${crdGroup}` : ip ? `198.51.${100 + ((n >> 8) & 1)}.${n & 255}` : `${prefix}h${n}`),
    // Not named after a Service: the Endpoints and EndpointSlice controllers would take those over.
    fixture: crd ? `fxcrds.${crdGroup}` : ip ? '198.51.101.254' : `${prefix}fx-${kind.toLowerCase()}`,
  };
}

function customKind(crd: Record<string, any>): Kind {
  const spec = crd['spec'];
  const v = spec.versions.find((x: any) => x.storage);
  const namespaced = spec.scope === 'Namespaced';
  const apiVersion = `${spec.group}/${v.name}`;
  return {
    kind: spec.names.kind, apiVersion, namespaced, strategicMergePatch: false, crd,
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    collection: collectionOf(spec.group, v.name, spec.names.plural, namespaced),
    status: !!v.subresources?.status, scale: !!v.subresources?.scale,
    schema: v.schema.openAPIV3Schema as SchemaNode,
    base: (name) => objectOf(spec.names.kind, apiVersion, name),
    freshName: (n) => `h${n}`,
    fixture: `fx-${spec.names.kind.toLowerCase()}`,
  };
}

export const kinds: Kind[] = [...builtinEntries.map(builtinKind), ...customResourceDefinitions.map(customKind)];

export function kindNamed(k: string): Kind {
  const found = kinds.find((x) => x.kind === k);
  if (!found) throw new Error(`no kind ${k}`);
  return found;
}
