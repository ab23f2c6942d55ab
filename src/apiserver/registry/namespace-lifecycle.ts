// Nothing may be created in a namespace that does not exist or is being terminated (upstream's
// NamespaceLifecycle admission plugin): the server adds this to every namespaced entry's store.
import type { Namespace } from '../../api/core.js';
import { errors, StatusError } from '../../machinery/status.js';
import type { StoreHooks } from '../store/hooks.js';
import type { Store } from '../store/store.js';

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
