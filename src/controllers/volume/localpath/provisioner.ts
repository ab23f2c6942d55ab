// A built-in dynamic provisioner after rancher's local-path-provisioner (what k3s ships): a claim
// handed to `rancher.io/local-path` gets a directory `pvc-<uid>_<namespace>_<name>` under the
// storage directory, offered as a hostPath PersistentVolume (DirectoryOrCreate) pinned by node
// affinity to the node the scheduler selected (WaitForFirstConsumer) or, for Immediate classes,
// the first Ready node. A Released volume it made with reclaim policy Delete loses its directory,
// then the volume is deleted. Nodes of a kubesvc cluster share this machine's filesystem, so the
// directory is made and removed here (local-path uses helper pods on the node for that).
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Node } from '../../../api/core.js';
import {
  AnnDynamicallyProvisioned,
  AnnSelectedNode,
  AnnStorageProvisioner,
  claimClass,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from '../../../api/storage.js';
import type { Client } from '../../../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../../../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../../../client/keys.js';
import { R } from '../../../client/resources.js';
import { isAlreadyExists, isNotFound } from '../../common/errors.js';
import { QueueWorker } from '../../common/queue-worker.js';
import { noopRecorder, type Recorder } from '../../common/recorder.js';

export const localPathProvisioner = 'rancher.io/local-path';
export const localPathClassName = 'local-path';

/** The default StorageClass `up` installs (k3s's local-path class). */
export function localPathStorageClass(): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: localPathClassName, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: localPathProvisioner,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

export interface LocalPathOptions {
  /** Where volume directories are made. */
  storageDir: string;
  recorder?: Recorder;
  queue?: WorkQueue<string>;
}

const claimPrefix = 'claim:';
const volumePrefix = 'volume:';

function isReady(n: Node): boolean {
  return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export class LocalPathProvisioner extends QueueWorker {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly classes: Informer<StorageClass>;
  private readonly nodes: Informer<Node>;
  private readonly recorder: Recorder;
  private readonly storageDir: string;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: LocalPathOptions,
  ) {
    super('local-path-provisioner', opts.queue);
    this.storageDir = resolve(opts.storageDir);
    this.recorder = opts.recorder ?? noopRecorder;
    this.claims = informers.informer<PersistentVolumeClaim>(R.persistentvolumeclaims);
    this.volumes = informers.informer<PersistentVolume>(R.persistentvolumes);
    this.classes = informers.informer<StorageClass>(R.storageclasses);
    this.nodes = informers.informer<Node>(R.nodes);
    const claim = (c: PersistentVolumeClaim) => {
      if (!c.spec?.volumeName && c.metadata.annotations?.[AnnStorageProvisioner] === localPathProvisioner) this.queue.add(claimPrefix + metaNamespaceKey(c));
    };
    this.claims.addEventHandler({ onAdd: claim, onUpdate: (_o, c) => claim(c) });
    const volume = (v: PersistentVolume) => {
      if (v.metadata.annotations?.[AnnDynamicallyProvisioned] === localPathProvisioner && v.status?.phase === 'Released' && !v.metadata.deletionTimestamp) {
        this.queue.add(volumePrefix + (v.metadata.name ?? ''));
      }
    };
    this.volumes.addEventHandler({ onAdd: volume, onUpdate: (_o, v) => volume(v) });
  }


  async sync(key: string): Promise<void> {
    if (key.startsWith(claimPrefix)) {
      const { namespace, name } = splitKey(key.slice(claimPrefix.length));
      const pvc = this.claims.lister.get(namespace, name);
      if (pvc) await this.provision(pvc);
    } else {
      const pv = this.volumes.lister.get(undefined, key.slice(volumePrefix.length));
      if (pv) await this.delete(pv);
    }
  }

  /** The directory of a volume for this claim; always inside the storage directory. */
  private pathFor(pvc: PersistentVolumeClaim): string {
    return join(this.storageDir, `pvc-${pvc.metadata.uid}_${pvc.metadata.namespace}_${pvc.metadata.name}`);
  }

  private async provision(pvc: PersistentVolumeClaim): Promise<void> {
    if (pvc.spec?.volumeName || pvc.metadata.deletionTimestamp) return;
    const sc = this.classes.lister.get(undefined, claimClass(pvc));
    if (!sc || sc.provisioner !== localPathProvisioner) return;
    const pvName = `pvc-${pvc.metadata.uid}`;
    if (this.volumes.lister.get(undefined, pvName)) return;
    let node = pvc.metadata.annotations?.[AnnSelectedNode];
    if (!node) {
      if (sc.volumeBindingMode === 'WaitForFirstConsumer') return;
      node = this.nodes.lister.list().filter(isReady).map((n) => n.metadata.name ?? '').sort()[0];
      if (!node) {
        this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', 'failed to provision volume with StorageClass "' + sc.metadata.name + '": no ready node to place the volume on');
        return;
      }
    }
    const claimRef = `${pvc.metadata.namespace}/${pvc.metadata.name}`;
    if ((pvc.spec?.accessModes ?? []).some((m) => m !== 'ReadWriteOnce' && m !== 'ReadWriteOncePod')) {
      this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata.name}": Only support ReadWriteOnce, ReadWriteOncePod access mode`);
      return;
    }
    this.recorder.event(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${claimRef}"`);
    const path = this.pathFor(pvc);
    mkdirSync(path, { recursive: true, mode: 0o777 });
    const pv: PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, annotations: { [AnnDynamicallyProvisioned]: localPathProvisioner, 'local.path.provisioner/selected-node': node } },
      spec: {
        capacity: { storage: String(pvc.spec?.resources?.requests?.['storage'] ?? '') },
        accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: sc.metadata.name,
        volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion },
        hostPath: { path, type: 'DirectoryOrCreate' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
      },
    };
    try {
      await this.client.create(R.persistentvolumes, undefined, pv);
    } catch (e) {
      if (isAlreadyExists(e)) return;
      throw e;
    }
    this.recorder.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }

  private async delete(pv: PersistentVolume): Promise<void> {
    // Deleted already (waiting on its finalizer): asking again would only write it again.
    if (pv.metadata.deletionTimestamp) return;
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return;
    if (pv.metadata.annotations?.[AnnDynamicallyProvisioned] !== localPathProvisioner) return;
    const path = pv.spec?.hostPath?.path ? resolve(pv.spec.hostPath.path) : '';
    // Only ever a directory this provisioner made: one level under the storage directory.
    if (path && path.startsWith(this.storageDir + sep) && !path.slice(this.storageDir.length + 1).includes(sep)) {
      rmSync(path, { recursive: true, force: true });
    }
    try {
      await this.client.delete(R.persistentvolumes, undefined, pv.metadata.name ?? '');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
