// core/v1 namespaces: a new namespace is Active and carries the `kubernetes` finalizer; DELETE
// marks it Terminating and it goes once its contents and spec.finalizers are gone (upstream's
// pkg/registry/core/namespace). Creating in a missing or terminating namespace is refused by
// namespaceLifecycle (registry/namespace-lifecycle.ts), which the server adds to every namespaced entry.
import type { Namespace } from '../../../api/core.js';
import { setDefaultsNamespace } from '../../../api/defaults/others.js';
import { validateNamespace, validateNamespaceStatusUpdate, validateNamespaceUpdate } from '../../../api/validation/namespace.js';
import { fields, resourceInfo } from '../../resources.js';
import { namespacePrinter } from '../../tables/simple.js';
import { entry } from '../entry.js';
import { keepStatus } from '../strategy.js';

export const namespaces = entry<Namespace>({
  info: resourceInfo({
    group: '',
    version: 'v1',
    resource: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status', 'finalize'],
    fieldSelectors: fields('status.phase'),
    returnDeletedObject: true,
  }),
  strategy: {
    defaults: setDefaultsNamespace,
    prepareForCreate(ns) {
      // As upstream's PrepareForCreate: the `kubernetes` finalizer is added to what the client
      // asked for (which validation then checks), not put in its place.
      const finalizers = ns.spec?.finalizers ?? [];
      ns.spec = { ...(ns.spec ?? {}), finalizers: finalizers.includes('kubernetes') ? finalizers : [...finalizers, 'kubernetes'] };
      ns.status = { phase: 'Active' };
    },
    prepareForUpdate(ns, old) {
      keepStatus(ns, old);
      // spec.finalizers changes only through /finalize (which the store treats as a spec update);
      // a terminating namespace stays terminating.
      if (old.status?.phase === 'Terminating') ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
    },
    validateCreate: validateNamespace,
    validateUpdate: validateNamespaceUpdate,
    validateStatusUpdate: validateNamespaceStatusUpdate,
  },
  hooks: () => ({
    // Kept until spec.finalizers is empty too, not only metadata.finalizers.
    pendingFinalization: (obj) => ((obj as Namespace).spec?.finalizers?.length ?? 0) > 0,
    beginGracefulDelete(obj) {
      obj.status = { ...(obj.status as object), phase: 'Terminating' };
    },
  }),
  printer: namespacePrinter,
});
