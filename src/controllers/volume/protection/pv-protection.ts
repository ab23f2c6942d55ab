// The PV protection controller (upstream's pkg/controller/volume/pvprotection): a volume being
// deleted keeps its kubernetes.io/pv-protection finalizer while it is Bound to a claim.
import { PVProtectionFinalizer, type PersistentVolume } from '../../../api/storage.js';
import type { Client } from '../../../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../../../client/informer-types.js';
import { R } from '../../../client/resources.js';
import { isConflict, isNotFound } from '../../common/errors.js';
import { QueueWorker } from '../../common/queue-worker.js';

export class PVProtectionController extends QueueWorker {
  private readonly volumes: Informer<PersistentVolume>;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: { queue?: WorkQueue<string> } = {},
  ) {
    super('pv-protection', opts.queue);
    this.volumes = informers.informer<PersistentVolume>(R.persistentvolumes);
    const volume = (v: PersistentVolume) => {
      if (v.metadata.deletionTimestamp && v.metadata.finalizers?.includes(PVProtectionFinalizer)) this.queue.add(v.metadata.name ?? '');
    };
    this.volumes.addEventHandler({ onAdd: volume, onUpdate: (_o, v) => volume(v) });
  }


  async sync(name: string): Promise<void> {
    const pv = this.volumes.lister.get(undefined, name);
    if (!pv?.metadata.deletionTimestamp || !pv.metadata.finalizers?.includes(PVProtectionFinalizer)) return;
    if (pv.status?.phase === 'Bound') return;
    const next = structuredClone(pv);
    next.metadata.finalizers = next.metadata.finalizers!.filter((f) => f !== PVProtectionFinalizer);
    try {
      await this.client.update(R.persistentvolumes, undefined, next);
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
}
