// The PersistentVolume controller's binder (upstream's pkg/controller/volume/persistentvolume):
// claims are bound to matching volumes (claimRef on the volume, volumeName on the claim, both
// phases Bound), claims of a class with a provisioner are handed to it (the storage-provisioner
// annotation, an ExternalProvisioning event), claims of a WaitForFirstConsumer class wait for the
// scheduler's selected-node annotation, a claim whose volume vanished is Lost, and a volume whose
// claim is gone is Released and then reclaimed: Retain keeps it, Delete is left to the provisioner
// that made it (or fails for a volume no provisioner made, as upstream without a deleter plugin).
import type { Node } from '../../../api/core.js';
import {
  AnnBetaStorageProvisioner,
  AnnBindCompleted,
  AnnBoundByController,
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
import { eventTimestamp } from '../../../client/event-correlator.js';
import { isConflict, isNotFound } from '../../common/errors.js';
import { QueueWorker } from '../../common/queue-worker.js';
import { noopRecorder, type Recorder } from '../../common/recorder.js';
import { findMatchingVolume, isVolumeBoundToClaim } from '../../../api/scheduling/volume-match.js';

export interface PersistentVolumeControllerOptions {
  recorder?: Recorder;
  queue?: WorkQueue<string>;
}

const claimPrefix = 'claim:';
const volumePrefix = 'volume:';

export class PersistentVolumeController extends QueueWorker {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly classes: Informer<StorageClass>;
  private readonly nodes: Informer<Node>;
  private readonly recorder: Recorder;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: PersistentVolumeControllerOptions = {},
  ) {
    super('persistentvolume-binder', opts.queue);
    this.recorder = opts.recorder ?? noopRecorder;
    this.claims = informers.informer<PersistentVolumeClaim>(R.persistentvolumeclaims);
    this.volumes = informers.informer<PersistentVolume>(R.persistentvolumes);
    this.classes = informers.informer<StorageClass>(R.storageclasses);
    this.nodes = informers.informer<Node>(R.nodes);
    const claim = (c: PersistentVolumeClaim) => this.queue.add(claimPrefix + metaNamespaceKey(c));
    const volume = (v: PersistentVolume) => {
      this.queue.add(volumePrefix + (v.metadata.name ?? ''));
      // The claim a volume names may now bind (a provisioned or pre-bound volume) or lose it; a
      // free volume may suit any waiting claim (upstream finds those on its 15 s resync).
      const ref = v.spec?.claimRef;
      if (ref?.name) this.queue.add(`${claimPrefix}${ref.namespace ?? ''}/${ref.name}`);
      else if (v.status?.phase === 'Available') for (const c of this.claims.lister.list()) if (!c.spec?.volumeName) claim(c);
    };
    this.claims.addEventHandler({
      onAdd: claim,
      onUpdate: (_o, c) => claim(c),
      onDelete: (c) => {
        // Its volume becomes Released.
        if (c.spec?.volumeName) this.queue.add(volumePrefix + c.spec.volumeName);
      },
    });
    this.volumes.addEventHandler({
      onAdd: volume,
      onUpdate: (_o, v) => volume(v),
      onDelete: (v) => {
        const ref = v.spec?.claimRef;
        if (ref?.name) this.queue.add(`${claimPrefix}${ref.namespace ?? ''}/${ref.name}`);
      },
    });
    // A class created after its claims lets them provision.
    this.classes.addEventHandler({
      onAdd: () => {
        for (const c of this.claims.lister.list()) if (!c.spec?.volumeName) claim(c);
      },
    });
  }


  async sync(key: string): Promise<void> {
    try {
      if (key.startsWith(claimPrefix)) {
        const { namespace, name } = splitKey(key.slice(claimPrefix.length));
        const pvc = this.claims.lister.get(namespace, name);
        if (pvc && !pvc.metadata.deletionTimestamp) await this.syncClaim(pvc);
      } else {
        const pv = this.volumes.lister.get(undefined, key.slice(volumePrefix.length));
        if (pv) await this.syncVolume(pv);
      }
    } catch (e) {
      // A stale copy: the informer brings the new one and the key comes back.
      if (isConflict(e) || isNotFound(e)) return;
      throw e;
    }
  }

  private storageClass(name: string): StorageClass | undefined {
    return name ? this.classes.lister.get(undefined, name) : undefined;
  }

  // ---- claims ----

  private async syncClaim(pvc: PersistentVolumeClaim): Promise<void> {
    if (!pvc.spec?.volumeName) return this.syncUnboundClaim(pvc);
    const pv = this.volumes.lister.get(undefined, pvc.spec.volumeName);
    if (!pv) {
      if (pvc.status?.phase !== 'Lost') {
        await this.setClaimPhase(pvc, 'Lost');
        this.recorder.event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      }
      return;
    }
    if (!pv.spec?.claimRef) {
      // Pre-bound by the user to a volume that is still free: bind the volume to it.
      if (pv.status?.phase === 'Available' || pv.status?.phase === 'Pending') await this.bind(pv, pvc);
      return;
    }
    if (isVolumeBoundToClaim(pv, pvc)) {
      if (pvc.status?.phase !== 'Bound' || pvc.metadata.annotations?.[AnnBindCompleted] !== 'yes') await this.bind(pv, pvc);
      return;
    }
    if (pvc.metadata.annotations?.[AnnBoundByController] === 'yes') {
      if (pvc.status?.phase !== 'Lost') {
        await this.setClaimPhase(pvc, 'Lost');
        this.recorder.event(pvc, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
      }
    } else {
      this.recorder.event(pvc, 'Warning', 'FailedBinding', 'volume "' + pv.metadata.name + '" already bound to a different claim.');
    }
  }

  private async syncUnboundClaim(pvc: PersistentVolumeClaim): Promise<void> {
    const className = claimClass(pvc);
    const sc = this.storageClass(className);
    const delay = sc?.volumeBindingMode === 'WaitForFirstConsumer';
    const selected = pvc.metadata.annotations?.[AnnSelectedNode];
    const node = delay && selected ? this.nodes.lister.get(undefined, selected) : undefined;
    const pv = findMatchingVolume(pvc, this.volumes.lister.list(), node, delay && !selected);
    if (pv) return this.bind(pv, pvc);
    if (delay && !selected) {
      this.recorder.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      return;
    }
    if (sc?.provisioner && sc.provisioner !== 'kubernetes.io/no-provisioner') {
      const ann = pvc.metadata.annotations ?? {};
      if (ann[AnnStorageProvisioner] !== sc.provisioner || ann[AnnBetaStorageProvisioner] !== sc.provisioner) {
        const next = structuredClone(pvc);
        next.metadata.annotations = { ...ann, [AnnStorageProvisioner]: sc.provisioner, [AnnBetaStorageProvisioner]: sc.provisioner };
        await this.client.update(R.persistentvolumeclaims, pvc.metadata.namespace, next);
      }
      this.recorder.event(
        pvc,
        'Normal',
        'ExternalProvisioning',
        `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
      );
      return;
    }
    if (className && !sc) {
      this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      return;
    }
    this.recorder.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
  }

  /** bind: the volume names the claim, is Bound; the claim names the volume, is Bound with its capacity. */
  private async bind(pv: PersistentVolume, pvc: PersistentVolumeClaim): Promise<void> {
    let volume = pv;
    if (!isVolumeBoundToClaim(pv, pvc) || !pv.spec?.claimRef?.uid) {
      const next = structuredClone(pv);
      next.spec = { ...next.spec };
      next.spec.claimRef = {
        kind: 'PersistentVolumeClaim',
        namespace: pvc.metadata.namespace,
        name: pvc.metadata.name,
        uid: pvc.metadata.uid,
        apiVersion: 'v1',
        resourceVersion: pvc.metadata.resourceVersion,
      };
      if (!pv.spec?.claimRef) next.metadata.annotations = { ...next.metadata.annotations, [AnnBoundByController]: 'yes' };
      volume = await this.client.update<PersistentVolume>(R.persistentvolumes, undefined, next);
    }
    if (volume.status?.phase !== 'Bound') volume = await this.setVolumePhase(volume, 'Bound');
    let claim = pvc;
    const ann = pvc.metadata.annotations ?? {};
    if (pvc.spec?.volumeName !== volume.metadata.name || ann[AnnBindCompleted] !== 'yes' || (!pvc.spec?.volumeName && ann[AnnBoundByController] !== 'yes')) {
      const next = structuredClone(pvc);
      const extra: Record<string, string> = { [AnnBindCompleted]: 'yes' };
      if (!pvc.spec?.volumeName) extra[AnnBoundByController] = 'yes';
      next.metadata.annotations = { ...ann, ...extra };
      next.spec = { ...next.spec, volumeName: volume.metadata.name };
      claim = await this.client.update<PersistentVolumeClaim>(R.persistentvolumeclaims, pvc.metadata.namespace, next);
    }
    if (claim.status?.phase !== 'Bound') {
      const next = structuredClone(claim);
      next.status = { ...next.status, phase: 'Bound', accessModes: volume.spec?.accessModes ?? [], capacity: { ...(volume.spec?.capacity ?? {}) } };
      await this.client.update(R.persistentvolumeclaims, claim.metadata.namespace, next, { subresource: 'status' });
    }
  }

  private async setClaimPhase(pvc: PersistentVolumeClaim, phase: string): Promise<void> {
    const next = structuredClone(pvc);
    next.status = { ...next.status, phase };
    await this.client.update(R.persistentvolumeclaims, pvc.metadata.namespace, next, { subresource: 'status' });
  }

  private async setVolumePhase(pv: PersistentVolume, phase: string, reason?: string, message?: string): Promise<PersistentVolume> {
    const next = structuredClone(pv);
    next.status = { ...next.status, phase, lastPhaseTransitionTime: eventTimestamp(new Date()) };
    if (reason !== undefined) next.status.reason = reason;
    else delete next.status.reason;
    if (message !== undefined) next.status.message = message;
    else delete next.status.message;
    return this.client.update<PersistentVolume>(R.persistentvolumes, undefined, next, { subresource: 'status' });
  }

  // ---- volumes ----

  private async syncVolume(pv: PersistentVolume): Promise<void> {
    const ref = pv.spec?.claimRef;
    const phase = pv.status?.phase;
    if (!ref) {
      if (phase !== 'Available') await this.setVolumePhase(pv, 'Available');
      return;
    }
    if (!ref.uid) {
      // Pre-bound to a claim by name: Available until that claim binds it.
      if (phase !== 'Available' && phase !== 'Bound') await this.setVolumePhase(pv, 'Available');
      return;
    }
    const pvc = this.claims.lister.get(ref.namespace, ref.name ?? '');
    if (!pvc || pvc.metadata.uid !== ref.uid) return this.released(pv);
    if (pvc.spec?.volumeName === pv.metadata.name) {
      if (phase !== 'Bound') await this.setVolumePhase(pv, 'Bound');
      return;
    }
    if (!pvc.spec?.volumeName) {
      // The claim has not caught up with this binding yet: its sync finishes it.
      this.queue.add(claimPrefix + metaNamespaceKey(pvc));
      return;
    }
    // The claim is bound to another volume: a binding this controller made is undone.
    if (pv.metadata.annotations?.[AnnBoundByController] === 'yes') {
      const next = structuredClone(pv);
      delete next.spec!.claimRef;
      delete next.metadata.annotations![AnnBoundByController];
      const updated = await this.client.update<PersistentVolume>(R.persistentvolumes, undefined, next);
      await this.setVolumePhase(updated, 'Available');
    }
  }

  /** The claim is gone: Released, then reclaimed by policy. */
  private async released(pv: PersistentVolume): Promise<void> {
    let volume = pv;
    if (pv.status?.phase === 'Failed') return;
    if (pv.status?.phase !== 'Released') volume = await this.setVolumePhase(pv, 'Released');
    switch (pv.spec?.persistentVolumeReclaimPolicy) {
      case 'Retain':
        return;
      case 'Delete':
        // A provisioner deletes what it made (its own controller watches for Released volumes).
        if (pv.metadata.annotations?.[AnnDynamicallyProvisioned]) return;
        await this.setVolumePhase(volume, 'Failed', 'VolumeFailedDelete', `error getting deleter volume plugin for volume "${pv.metadata.name}": no deletable volume plugin matched`);
        this.recorder.event(volume, 'Warning', 'VolumeFailedDelete', `error getting deleter volume plugin for volume "${pv.metadata.name}": no deletable volume plugin matched`);
        return;
      default:
        await this.setVolumePhase(volume, 'Failed', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!');
        this.recorder.event(volume, 'Warning', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!');
    }
  }
}
