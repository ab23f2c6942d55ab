// Label and field selectors of a list or watch request, compiled once into an object matcher.
import type { KubeObject, LabelSelector as MetaLabelSelector } from '../../api/meta.js';
import { parseLabelSelector, labelSelectorAsSelector } from '../../machinery/labels/index.js';
import { parseFieldSelector, fieldLabelNotSupported } from '../../machinery/fields/selector.js';
import type { ResourceInfo } from '../resources.js';

export interface ObjectMatcher {
  matches(obj: KubeObject): boolean;
  /** True when nothing is filtered (then lists report remainingItemCount, as upstream does). */
  readonly empty: boolean;
}

export const everything: ObjectMatcher = { matches: () => true, empty: true };

/** Parses `labelSelector` and `fieldSelector`; unparsable ones and unsupported fields are 400s. */
export function compileMatcher(info: ResourceInfo, labelSelector?: string, fieldSelector?: string): ObjectMatcher {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
  if (fields) {
    for (const r of fields.requirements) {
      if (r.field !== 'metadata.name' && r.field !== 'metadata.namespace' && !info.fieldSelectors[r.field]) {
        throw fieldLabelNotSupported(r.field);
      }
    }
  }
  const noLabels = !labels || labels.empty();
  const noFields = !fields || fields.empty();
  if (noLabels && noFields) return everything;
  return {
    empty: false,
    matches(obj: KubeObject): boolean {
      if (labels && !labels.matches(obj.metadata.labels)) return false;
      if (fields) {
        return fields.matches((f) => {
          if (f === 'metadata.name') return obj.metadata.name ?? '';
          if (f === 'metadata.namespace') return obj.metadata.namespace ?? '';
          return info.fieldSelectors[f]?.(obj);
        });
      }
      return true;
    },
  };
}

/** A metav1.LabelSelector in the string form Scale.status.selector carries. */
export function selectorString(sel: MetaLabelSelector): string {
  try {
    return labelSelectorAsSelector(sel).toString();
  } catch {
    return '';
  }
}
