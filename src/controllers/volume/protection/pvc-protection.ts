// The PVC protection controller (upstream's pkg/controller/volume/pvcprotection): a claim being
// deleted keeps its kubernetes.io/pvc-protection finalizer while a pod that has not finished
// uses it, so data is not pulled from under a running pod; then the finalizer goes.
import type { Pod } from '../../../api/core.js';
import { podClaimNames, PVCProtectionFinalizer, type PersistentVolumeClaim } from '../../../api/storage.js';
import type { Client } from '../../../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../../../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../../../client/keys.js';
import { R } from '../../../client/resources.js';
import { isConflict, isNotFound } from '../../common/errors.js';
import { QueueWorker } from '../../common/queue-worker.js';

export class PVCProtectionController extends QueueWorker {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly pods: Informer<Pod>;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: { queue?: WorkQueue<string> } = {},
  ) {
    super('pvc-protection', opts.queue);
    this.claims = informers.informer<PersistentVolumeClaim>(R.persistentvolumeclaims);
    this.pods = informers.informer<Pod>(R.pods);
    const claim = (c: PersistentVolumeClaim) => {
      if (c.metadata.deletionTimestamp && c.metadata.finalizers?.includes(PVCProtectionFinalizer)) this.queue.add(metaNamespaceKey(c));
    };
    this.claims.addEventHandler({ onAdd: claim, onUpdate: (_o, c) => claim(c) });
    // A pod that finishes or goes may free the claims it used.
    const pod = (p: Pod) => {
      for (const name of podClaimNames(p)) this.queue.add(`${p.metadata.namespace ?? ''}/${name}`);
    };
    this.pods.addEventHandler({ onUpdate: (_o, p) => pod(p), onDelete: pod });
  }


  private inUse(namespace: string, name: string): boolean {
    return this.pods.lister.list(namespace).some((p) => {
      const phase = p.status?.phase;
      return phase !== 'Succeeded' && phase !== 'Failed' && podClaimNames(p).includes(name);
    });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pvc = this.claims.lister.get(namespace, name);
    if (!pvc?.metadata.deletionTimestamp || !pvc.metadata.finalizers?.includes(PVCProtectionFinalizer)) return;
    if (this.inUse(namespace ?? '', name)) return;
    const next = structuredClone(pvc);
    next.metadata.finalizers = next.metadata.finalizers!.filter((f) => f !== PVCProtectionFinalizer);
    try {
      await this.client.update(R.persistentvolumeclaims, namespace, next);
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
}
