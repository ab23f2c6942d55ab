// SetDefaults_Volume and the volume sources' defaults (pkg/apis/core/v1/defaults.go): a volume
// without a source is an emptyDir; projecting sources get mode 0644; a hostPath's type is ""; a
// token projection lives an hour; downward API fieldRefs name apiVersion v1.
type Obj = Record<string, unknown>;

/** Every field of a Volume that names its source. */
export const volumeSources = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
];

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function defaultMode(src: unknown): void {
  if (isObj(src) && (src.defaultMode === undefined || src.defaultMode === null)) src.defaultMode = 0o644;
}

function fieldRefs(items: unknown): void {
  for (const it of Array.isArray(items) ? items : []) {
    const ref = isObj(it) ? it.fieldRef : undefined;
    if (isObj(ref) && !ref.apiVersion) ref.apiVersion = 'v1';
  }
}

export function setDefaultsVolume(v: Obj): void {
  if (!volumeSources.some((k) => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
  if (isObj(v.hostPath) && v.hostPath.type === undefined) v.hostPath.type = '';
  defaultMode(v.configMap);
  defaultMode(v.secret);
  defaultMode(v.downwardAPI);
  if (isObj(v.downwardAPI)) fieldRefs(v.downwardAPI.items);
  defaultMode(v.projected);
  if (isObj(v.projected)) {
    for (const s of Array.isArray(v.projected.sources) ? v.projected.sources : []) {
      if (!isObj(s)) continue;
      if (isObj(s.serviceAccountToken) && (s.serviceAccountToken.expirationSeconds === undefined || s.serviceAccountToken.expirationSeconds === null)) {
        s.serviceAccountToken.expirationSeconds = 3600;
      }
      if (isObj(s.downwardAPI)) fieldRefs(s.downwardAPI.items);
    }
  }
}
