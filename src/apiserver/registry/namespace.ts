// Namespaces: a new namespace is Active and carries the `kubernetes` finalizer; nothing may be
// created in a namespace that does not exist or is being terminated (upstream's NamespaceLifecycle
// admission).
import type { KubeObject } from '../../api/meta.js';
import type { Namespace } from '../../api/core.js';
import { errors, StatusError } from '../../machinery/status.js';
import type { StoreHooks } from '../store/hooks.js';
import type { Store } from '../store/store.js';

export const namespaceHooks: StoreHooks = {
  prepareForCreate(obj: KubeObject) {
    const ns = obj as Namespace;
    // As upstream's PrepareForCreate: the `kubernetes` finalizer is added to what the client
    // asked for (which validation then checks), not put in its place.
    const finalizers = ns.spec?.finalizers ?? [];
    ns.spec = { ...(ns.spec ?? {}), finalizers: finalizers.includes('kubernetes') ? finalizers : [...finalizers, 'kubernetes'] };
    ns.status = { phase: 'Active' };
  },
  prepareForUpdate(obj: KubeObject, old: KubeObject) {
    // spec.finalizers changes only through /finalize (which the store treats as a spec update);
    // a terminating namespace stays terminating.
    const ns = obj as Namespace;
    const prev = old as Namespace;
    if (prev.status?.phase === 'Terminating') ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
  },
};

/** Admission for namespaced kinds: the namespace must exist and be active. */
export function namespaceLifecycle(resource: string, namespaces: () => Store): StoreHooks['admit'] {
  return async (obj) => {
    const name = obj.metadata.namespace;
    if (!name) return;
    const ns = await namespaces().find(undefined, name);
    if (!ns) throw errors.notFound({ group: '', resource: 'namespaces' }, name);
    if ((ns.obj as Namespace).status?.phase === 'Terminating' || ns.obj.metadata.deletionTimestamp) {
      throw new StatusError(
        403,
        'Forbidden',
        `${resource} "${obj.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${name} because it is being terminated`,
        { name: obj.metadata.name ?? '', kind: resource, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${name} is terminating`, field: 'metadata.namespace' }] },
      );
    }
  };
}
