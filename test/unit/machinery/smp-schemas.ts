// Hand-built patch schemas for the strategic merge patch tests: upstream's test type MergeItem,
// and the parts of Service and Deployment that kubectl apply patches (strategies and merge keys
// as in upstream's OpenAPI: x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key).
import type { PatchSchema } from '../../../src/machinery/patch/schema.js';

const scalar: PatchSchema = { kind: 'scalar' };
const stringMap: PatchSchema = { kind: 'map', elem: scalar };
const obj = (fields: Record<string, PatchSchema>, extra: Partial<PatchSchema> = {}): PatchSchema => ({
  kind: 'object',
  fields,
  ...extra,
});
const mergeList = (elem: PatchSchema, patchMergeKey?: string, patchStrategy = 'merge'): PatchSchema => ({
  kind: 'list',
  elem,
  patchStrategy,
  ...(patchMergeKey ? { patchMergeKey } : {}),
});

/** strategicpatch's test struct MergeItem (it refers to itself). */
export const mergeItem: PatchSchema = obj({});
const retainKeysMergeItem = obj({
  name: scalar,
  value: scalar,
  other: scalar,
  simpleMap: stringMap,
  mergingIntList: mergeList(scalar),
  mergingList: mergeList(mergeItem, 'name'),
  nonMergingList: { kind: 'list', elem: mergeItem },
});
Object.assign(mergeItem.fields!, {
  name: scalar,
  value: scalar,
  other: scalar,
  mergingList: mergeList(mergeItem, 'name'),
  nonMergingList: { kind: 'list', elem: mergeItem },
  mergingIntList: mergeList(scalar),
  nonMergingIntList: { kind: 'list', elem: scalar },
  mergeItemPtr: { kind: 'object', fields: mergeItem.fields, patchStrategy: 'merge', patchMergeKey: 'name' },
  simpleMap: stringMap,
  replacingItem: { kind: 'object', patchStrategy: 'replace' },
  retainKeysMap: { ...retainKeysMergeItem, patchStrategy: 'retainKeys' },
  retainKeysMergingList: mergeList(mergeItem, 'name', 'merge,retainKeys'),
} satisfies Record<string, PatchSchema>);

const objectMeta = obj({
  name: scalar,
  namespace: scalar,
  labels: stringMap,
  annotations: stringMap,
  finalizers: mergeList(scalar),
  ownerReferences: mergeList(obj({ uid: scalar, name: scalar, kind: scalar, apiVersion: scalar }), 'uid'),
});

export const service: PatchSchema = obj({
  apiVersion: scalar,
  kind: scalar,
  metadata: objectMeta,
  spec: obj({
    type: scalar,
    clusterIP: scalar,
    clusterIPs: { kind: 'list', elem: scalar },
    selector: stringMap,
    ports: mergeList(
      obj({ name: scalar, protocol: scalar, port: scalar, targetPort: scalar, nodePort: scalar, appProtocol: scalar }),
      'port',
    ),
    externalIPs: { kind: 'list', elem: scalar },
    sessionAffinity: scalar,
  }),
});

const envVar = obj({ name: scalar, value: scalar, valueFrom: obj({}) });
const container = obj({
  name: scalar,
  image: scalar,
  args: { kind: 'list', elem: scalar },
  env: mergeList(envVar, 'name'),
  ports: mergeList(obj({ name: scalar, containerPort: scalar, protocol: scalar }), 'containerPort'),
  volumeMounts: mergeList(obj({ name: scalar, mountPath: scalar, readOnly: scalar }), 'mountPath'),
  resources: obj({ limits: stringMap, requests: stringMap }),
});
const volume = obj({
  name: scalar,
  emptyDir: obj({ medium: scalar, sizeLimit: scalar }),
  configMap: obj({ name: scalar, defaultMode: scalar }),
  secret: obj({ secretName: scalar, defaultMode: scalar }),
});

export const deployment: PatchSchema = obj({
  apiVersion: scalar,
  kind: scalar,
  metadata: objectMeta,
  spec: obj({
    replicas: scalar,
    selector: obj({ matchLabels: stringMap }),
    strategy: obj(
      { type: scalar, rollingUpdate: obj({ maxSurge: scalar, maxUnavailable: scalar }) },
      { patchStrategy: 'retainKeys' },
    ),
    template: obj({
      metadata: objectMeta,
      spec: obj({
        containers: mergeList(container, 'name'),
        initContainers: mergeList(container, 'name'),
        volumes: mergeList(volume, 'name', 'merge,retainKeys'),
        nodeSelector: stringMap,
      }),
    }),
  }),
});
