// Label maps and selectors rendered as apimachinery's String() methods render them.
import type { LabelSelector, LabelSelectorRequirement } from '../../api/meta.js';

/** Byte-order comparison, as Go's sort.Strings compares. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `k1=v1,k2=v2` sorted by key, or `<none>` when empty (labels.FormatLabels). */
export function formatLabels(map: Record<string, string> | undefined | null): string {
  const keys = Object.keys(map ?? {}).sort(byteOrder);
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${(map as Record<string, string>)[k]}`).join(',');
}

function requirementString(key: string, op: string, values: string[]): string {
  const vals = values.length > 1 ? [...values].sort(byteOrder).join(',') : (values[0] ?? '');
  switch (op) {
    case '=':
      return `${key}=${vals}`;
    case 'In':
      return `${key} in (${vals})`;
    case 'NotIn':
      return `${key} notin (${vals})`;
    case 'Exists':
      return key;
    case 'DoesNotExist':
      return `!${key}`;
    default:
      throw new Error(`"${op}" is not a valid label selector operator`);
  }
}

/**
 * The selector's String(): requirements sorted by key and comma-joined; "" for an empty or nil selector
 * (Everything and Nothing both print as nothing). Throws on an unknown operator.
 */
export function selectorString(sel: LabelSelector | undefined | null): string {
  if (!sel) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: requirementString(k, '=', [v]) });
  for (const e of sel.matchExpressions ?? ([] as LabelSelectorRequirement[])) {
    reqs.push({ key: e.key, text: requirementString(e.key, e.operator, e.values ?? []) });
  }
  reqs.sort((a, b) => byteOrder(a.key, b.key));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: the selector's string, `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  let s: string;
  try {
    s = selectorString(sel);
  } catch {
    return '<error>';
  }
  return s === '' ? '<none>' : s;
}
