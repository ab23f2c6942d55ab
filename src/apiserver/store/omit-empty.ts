// ObjectMeta's fields are all `omitempty` in Go: an empty list or map (or null) a client sends
// decodes to the zero value and is never written back. A patch that empties `finalizers` or
// `ownerReferences` (`{"$patch":"delete"}` items, `"labels":{}`) therefore leaves the stored
// object as it was upstream, and a no-op write writes nothing; so here.
import type { ObjectMeta } from '../../api/meta.js';

// managedFields is not here: an empty list a client sends means "clear them" to the field manager
// (upstream's decodeLiveOrNew tells [] from absent), which then writes them or leaves them out.
const omitEmpty = ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const;

export function omitEmptyMeta(meta: ObjectMeta): void {
  const m = meta as Record<string, unknown>;
  for (const f of omitEmpty) {
    const v = m[f];
    if (v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)) {
      delete m[f];
    }
  }
}
