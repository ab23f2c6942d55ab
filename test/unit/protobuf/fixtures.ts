// Realistic objects of every served kind, written the way Go's encoding/json prints them (so a
// protobuf round trip must give them back unchanged): zero non-pointer fields without omitempty
// are present, structs are never omitted, times are RFC 3339.
const meta = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: 'default',
  uid: '6c1a1b3e-0f51-4b8e-9d1a-2f7c3e5d9a10',
  resourceVersion: '1234',
  generation: 2,
  creationTimestamp: '2024-05-01T10:20:30Z',
  labels: { app: name, 'app.kubernetes.io/part-of': 'shop' },
  annotations: { 'kubesvc.io/note': 'ünïcödé ✓' },
  managedFields: [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2024-05-01T10:20:30Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
    },
  ],
  ...extra,
});

export const namespace = {
  kind: 'Namespace',
  apiVersion: 'v1',
  metadata: { name: 'prod', uid: 'u-1', resourceVersion: '7', creationTimestamp: '2024-05-01T10:20:30Z', labels: { 'kubernetes.io/metadata.name': 'prod' } },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Active' },
};

export const terminatingNamespace = {
  kind: 'Namespace',
  apiVersion: 'v1',
  metadata: {
    name: 'old',
    creationTimestamp: '2024-05-01T10:20:30Z',
    deletionTimestamp: '2024-05-02T00:00:00Z',
    deletionGracePeriodSeconds: 0,
    finalizers: ['example.com/hold'],
  },
  spec: {},
  status: {
    phase: 'Terminating',
    conditions: [{ type: 'NamespaceDeletionContentFailure', status: 'False', lastTransitionTime: '2024-05-02T00:00:01Z', reason: 'ContentDeleted', message: 'All content successfully deleted' }],
  },
};

export const service = {
  kind: 'Service',
  apiVersion: 'v1',
  metadata: meta('web'),
  spec: {
    ports: [
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 },
      { name: 'dns', protocol: 'UDP', appProtocol: 'dns', port: 53, targetPort: 5353, nodePort: 30053 },
    ],
    selector: { app: 'web' },
    clusterIP: '10.96.0.10',
    clusterIPs: ['10.96.0.10', 'fd00::a'],
    type: 'LoadBalancer',
    externalIPs: ['192.0.2.1'],
    sessionAffinity: 'ClientIP',
    loadBalancerSourceRanges: ['0.0.0.0/0'],
    externalTrafficPolicy: 'Local',
    healthCheckNodePort: 31999,
    sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
    ipFamilies: ['IPv4', 'IPv6'],
    ipFamilyPolicy: 'PreferDualStack',
    allocateLoadBalancerNodePorts: false,
    internalTrafficPolicy: 'Cluster',
    trafficDistribution: 'PreferClose',
  },
  status: {
    loadBalancer: { ingress: [{ ip: '127.240.0.1', ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP', error: 'x' }] }] },
    conditions: [{ type: 'Ready', status: 'True', observedGeneration: 2, lastTransitionTime: '2024-05-01T10:20:31Z', reason: 'Ok', message: '' }],
  },
};

export const endpoints = {
  kind: 'Endpoints',
  apiVersion: 'v1',
  metadata: meta('web'),
  subsets: [
    {
      addresses: [{ ip: '127.244.0.5', hostname: 'web-0', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'p-1' } }],
      notReadyAddresses: [{ ip: '127.244.0.6' }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  ],
};

export const pod = {
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: meta('web-0', {
    generateName: 'web-',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f', uid: 'rs-1', controller: true, blockOwnerDeletion: true }],
  }),
  spec: {
    volumes: [
      { name: 'data', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
      { name: 'cfg', configMap: { name: 'web-cfg', items: [{ key: 'a', path: 'a.txt', mode: 420 }], defaultMode: 420, optional: true } },
      { name: 'tok', projected: { sources: [{ serviceAccountToken: { audience: 'api', expirationSeconds: 3600, path: 'token' } }] } },
    ],
    initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'], resources: {} }],
    containers: [
      {
        name: 'web',
        image: 'registry.k8s.io/pause:3.10',
        args: ['--port=8080'],
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { containerPort: 9090, hostPort: 9090, hostIP: '127.0.0.1', protocol: 'UDP' }],
        env: [
          { name: 'A', value: '1' },
          { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
          { name: 'LIM', valueFrom: { resourceFieldRef: { containerName: 'web', resource: 'limits.cpu', divisor: '1m' } } },
        ],
        resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } },
        volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
        livenessProbe: {
          httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP', httpHeaders: [{ name: 'X', value: 'y' }] },
          initialDelaySeconds: 3,
          timeoutSeconds: 1,
          periodSeconds: 10,
          successThreshold: 1,
          failureThreshold: 3,
          terminationGracePeriodSeconds: 0,
        },
        readinessProbe: { tcpSocket: { port: 'http' }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 },
        startupProbe: { exec: { command: ['cat', '/ready'] }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 30 },
        lifecycle: { preStop: { sleep: { seconds: 5 } } },
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
        securityContext: { capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false },
      },
    ],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    activeDeadlineSeconds: 600,
    dnsPolicy: 'ClusterFirst',
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    serviceAccountName: 'default',
    serviceAccount: 'default',
    automountServiceAccountToken: false,
    nodeName: 'node-1',
    hostNetwork: true,
    securityContext: { supplementalGroups: [1000, 2000], fsGroup: 2000, sysctls: [{ name: 'net.ipv4.ip_forward', value: '1' }] },
    hostname: 'web-0',
    subdomain: 'web',
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }, topologyKey: 'kubernetes.io/hostname' } },
        ],
      },
    },
    schedulerName: 'default-scheduler',
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.local'] }],
    priority: 0,
    dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }] },
    readinessGates: [{ conditionType: 'example.com/ready' }],
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
    overhead: { cpu: '10m' },
  },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-05-01T10:20:40Z' }],
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: '127.244.0.5',
    podIPs: [{ ip: '127.244.0.5' }],
    startTime: '2024-05-01T10:20:31Z',
    containerStatuses: [
      {
        name: 'web',
        state: { running: { startedAt: '2024-05-01T10:20:35Z' } },
        lastState: { terminated: { exitCode: 137, signal: 9, reason: 'Error', startedAt: '2024-05-01T10:00:00Z', finishedAt: '2024-05-01T10:20:34Z', containerID: 'kubesvc://1' } },
        ready: true,
        restartCount: 1,
        image: 'registry.k8s.io/pause:3.10',
        imageID: 'sha256:abc',
        containerID: 'kubesvc://2',
        started: true,
      },
    ],
    qosClass: 'Burstable',
  },
};

export const node = {
  kind: 'Node',
  apiVersion: 'v1',
  metadata: { name: 'node-1', creationTimestamp: '2024-05-01T10:00:00Z', labels: { 'kubernetes.io/hostname': 'node-1' } },
  spec: { podCIDR: '127.244.1.0/24', podCIDRs: ['127.244.1.0/24'], taints: [{ key: 'k', value: 'v', effect: 'NoSchedule', timeAdded: '2024-05-01T10:00:01Z' }], unschedulable: true },
  status: {
    capacity: { cpu: '8', memory: '16Gi', pods: '110' },
    allocatable: { cpu: '7800m', memory: '15Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-05-01T10:05:00Z', lastTransitionTime: '2024-05-01T10:00:05Z', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: 'node-1' }],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: 'm',
      systemUUID: 's',
      bootID: 'b',
      kernelVersion: '6.1',
      osImage: 'Debian',
      containerRuntimeVersion: 'kubesvc://0.1.0',
      kubeletVersion: 'v1.32.0',
      kubeProxyVersion: 'v1.32.0',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
    images: [{ names: ['registry.k8s.io/pause:3.10'], sizeBytes: 736000 }],
  },
};

export const event = {
  kind: 'Event',
  apiVersion: 'v1',
  metadata: { name: 'web-0.17c', namespace: 'default', creationTimestamp: '2024-05-01T10:20:31Z' },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'p-1', apiVersion: 'v1', resourceVersion: '12', fieldPath: 'spec.containers{web}' },
  reason: 'Started',
  message: 'Started container web',
  source: { component: 'kubelet', host: 'node-1' },
  firstTimestamp: '2024-05-01T10:20:31Z',
  lastTimestamp: '2024-05-01T10:20:35Z',
  count: 2,
  type: 'Normal',
  eventTime: '2024-05-01T10:20:31.123456Z',
  series: { count: 3, lastObservedTime: '2024-05-01T10:20:35.000001Z' },
  action: 'Start',
  reportingComponent: 'kubelet',
  reportingInstance: 'node-1',
};

const template = {
  metadata: { creationTimestamp: null, labels: { app: 'web' } },
  spec: {
    containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    securityContext: {},
    schedulerName: 'default-scheduler',
  },
};

export const deployment = {
  kind: 'Deployment',
  apiVersion: 'apps/v1',
  metadata: meta('web', { annotations: { 'deployment.kubernetes.io/revision': '1' } }),
  spec: {
    replicas: 0,
    selector: { matchLabels: { app: 'web' } },
    template,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
  },
  status: {
    observedGeneration: 2,
    replicas: 3,
    updatedReplicas: 3,
    readyReplicas: 2,
    availableReplicas: 2,
    unavailableReplicas: 1,
    conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2024-05-01T10:20:40Z', lastTransitionTime: '2024-05-01T10:20:40Z', reason: 'MinimumReplicasAvailable', message: 'ok' }],
  },
};

export const replicaSet = {
  kind: 'ReplicaSet',
  apiVersion: 'apps/v1',
  metadata: meta('web-5d8f', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-1', controller: true, blockOwnerDeletion: true }] }),
  spec: { replicas: 3, minReadySeconds: 5, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d8f' } }, template },
  status: { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 },
};

export const endpointSlice = {
  kind: 'EndpointSlice',
  apiVersion: 'discovery.k8s.io/v1',
  metadata: meta('web-abcde', { labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } }),
  addressType: 'IPv4',
  endpoints: [
    {
      addresses: ['127.244.0.5'],
      conditions: { ready: true, serving: true, terminating: false },
      hostname: 'web-0',
      targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'p-1' },
      nodeName: 'node-1',
      zone: 'z1',
      hints: { forZones: [{ name: 'z1' }] },
    },
    { addresses: ['127.244.0.6'], conditions: { ready: false } },
  ],
  ports: [{ name: 'http', protocol: 'TCP', port: 8080, appProtocol: 'http' }, { name: '', port: 0 }],
};

export const lease = {
  kind: 'Lease',
  apiVersion: 'coordination.k8s.io/v1',
  metadata: { name: 'node-1', namespace: 'kube-node-lease', creationTimestamp: '2024-05-01T10:00:00Z' },
  spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, acquireTime: '2024-05-01T10:00:00.000000Z', renewTime: '2024-05-01T10:05:00.654321Z', leaseTransitions: 0 },
};

export const scale = {
  kind: 'Scale',
  apiVersion: 'autoscaling/v1',
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T10:00:00Z' },
  spec: { replicas: 5 },
  status: { replicas: 3, selector: 'app=web' },
};

export const status = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
  reason: 'Invalid',
  details: { name: 'web', kind: 'Service', causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: 80', field: 'spec.ports[0].nodePort' }] },
  code: 422,
};

export const deleteOptions = {
  kind: 'DeleteOptions',
  apiVersion: 'v1',
  gracePeriodSeconds: 0,
  preconditions: { uid: 'u-1', resourceVersion: '5' },
  propagationPolicy: 'Foreground',
  dryRun: ['All'],
};

export const binding = {
  kind: 'Binding',
  apiVersion: 'v1',
  metadata: { name: 'web-0', namespace: 'default', uid: 'p-1', creationTimestamp: null },
  target: { kind: 'Node', name: 'node-1' },
};

export const eviction = {
  kind: 'Eviction',
  apiVersion: 'policy/v1',
  metadata: { name: 'web-0', namespace: 'default', creationTimestamp: null },
  deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'p-1' } },
};

export const namespaceList = {
  kind: 'NamespaceList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '99', continue: 'abc', remainingItemCount: 3 },
  items: [
    { metadata: namespace.metadata, spec: namespace.spec, status: namespace.status },
    { metadata: { name: 'default', creationTimestamp: '2024-05-01T10:00:00Z' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
  ],
};

const strip = (o: Record<string, unknown>) => {
  const { kind: _k, apiVersion: _a, ...rest } = o;
  return rest;
};
export const lists = [
  { kind: 'ServiceList', apiVersion: 'v1', metadata: { resourceVersion: '5' }, items: [strip(service)] },
  { kind: 'EndpointsList', apiVersion: 'v1', metadata: { resourceVersion: '5' }, items: [strip(endpoints)] },
  { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '5' }, items: [strip(pod)] },
  { kind: 'NodeList', apiVersion: 'v1', metadata: { resourceVersion: '5' }, items: [strip(node)] },
  { kind: 'EventList', apiVersion: 'v1', metadata: { resourceVersion: '5' }, items: [strip(event)] },
  { kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: { resourceVersion: '5' }, items: [strip(deployment)] },
  { kind: 'ReplicaSetList', apiVersion: 'apps/v1', metadata: { resourceVersion: '5' }, items: [strip(replicaSet)] },
  { kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1', metadata: { resourceVersion: '5' }, items: [strip(endpointSlice)] },
  { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '5' }, items: [{ metadata: service.metadata }] },
  { kind: 'LeaseList', apiVersion: 'coordination.k8s.io/v1', metadata: { resourceVersion: '5' }, items: [strip(lease)] },
];

const coreMeta = (name: string) => ({
  name,
  namespace: 'default',
  uid: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9',
  resourceVersion: '77',
  creationTimestamp: '2024-05-01T10:00:00Z',
});

// []byte values (binaryData, Secret data) travel as raw bytes in protobuf and as base64 in JSON.
export const configMap = {
  kind: 'ConfigMap',
  apiVersion: 'v1',
  metadata: coreMeta('cfg'),
  immutable: false,
  data: { 'app.properties': 'color=blue\n', empty: '' },
  binaryData: { blob: Buffer.from([0, 1, 2, 255]).toString('base64') },
};

export const secret = {
  kind: 'Secret',
  apiVersion: 'v1',
  metadata: coreMeta('db'),
  immutable: true,
  data: { password: Buffer.from('s3cr3t').toString('base64'), 'tls.key': Buffer.from([0xde, 0xad, 0xbe, 0xef]).toString('base64') },
  type: 'Opaque',
};

export const serviceAccount = {
  kind: 'ServiceAccount',
  apiVersion: 'v1',
  metadata: coreMeta('bot'),
  secrets: [{ name: 'bot-token' }],
  imagePullSecrets: [{ name: 'pull' }],
  automountServiceAccountToken: false,
};
