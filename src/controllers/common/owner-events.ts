// Routing events of owned objects (pods, ControllerRevisions) to the controller that owns them,
// as upstream's workload controllers do in addPod/updatePod/deletePod: an object with a
// ControllerRef wakes that owner (when it is still the same object, by uid); an orphan wakes
// every owner whose selector matches it, since one of them may adopt it.
import type { KubeObject, LabelSelector, OwnerReference } from '../../api/meta.js';
import type { Lister } from '../../client/informer-types.js';
import { labelSelectorAsSelector } from '../../machinery/labels/index.js';
import { getControllerOf } from './controller-ref.js';

type Owner = KubeObject & { spec: { selector: LabelSelector } };

export class OwnerEvents<T extends Owner> {
  constructor(
    private readonly kind: string,
    private readonly owners: Lister<T>,
    private readonly enqueue: (owner: T) => void,
  ) {}

  /** The owner a ControllerRef points at, if it is in the cache with that uid. */
  resolve(namespace: string | undefined, ref: OwnerReference): T | undefined {
    if (ref.kind !== this.kind) return undefined;
    const o = this.owners.get(namespace, ref.name);
    return o && o.metadata.uid === ref.uid ? o : undefined;
  }

  onOwned(obj: KubeObject): void {
    const ref = getControllerOf(obj);
    if (ref) {
      const o = this.resolve(obj.metadata.namespace, ref);
      if (o) this.enqueue(o);
      return;
    }
    if (obj.metadata.deletionTimestamp) return;
    for (const o of this.owners.list(obj.metadata.namespace)) {
      try {
        const sel = labelSelectorAsSelector(o.spec.selector);
        if (!sel.empty() && sel.matches(obj.metadata.labels ?? {})) this.enqueue(o);
      } catch {
        // An unparsable selector matches nothing.
      }
    }
  }

  /** An update may also move the object away from its previous owner: wake that one too. */
  onOwnedUpdate(old: KubeObject, cur: KubeObject): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const oldRef = getControllerOf(old);
    if (oldRef && oldRef.uid !== getControllerOf(cur)?.uid) {
      const o = this.resolve(old.metadata.namespace, oldRef);
      if (o) this.enqueue(o);
    }
    this.onOwned(cur);
  }
}
