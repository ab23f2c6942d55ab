// List helpers of strategic merge patch: element typing, de-duplication, partitioning and the
// ordering rules ($setElementOrder > order in the patch > order in the live list).
import { goV } from '../../goformat.js';
import { isObject } from '../json.js';
import { smpErrors } from './errors.js';
import { goSliceStable } from './go-sort.js';

export const directiveMarker = '$patch';

/** The Go type a decoded JSON value has on the apiserver (ints are int64, other numbers float64). */
export function goType(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (isObject(v)) return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v;
}

/** sliceElementType: the one element type of all given lists ('map' or a scalar type). */
export function sliceElementType(...lists: unknown[][]): string {
  let prev: string | undefined;
  for (const l of lists) {
    for (const v of l) {
      const t = goType(v);
      if (prev === undefined) {
        prev = t;
        if (t === 'slice') throw smpErrors.noListOfLists();
      } else if (prev !== t) {
        throw smpErrors.other(`list element types are not identical: ${goV(lists)}`);
      }
    }
  }
  if (prev === undefined) throw smpErrors.other('no elements in any of the given slices');
  return prev;
}

/** deduplicateScalars, including its habit of moving the last element into a duplicate's place. */
export function deduplicateScalars(s: unknown[]): unknown[] {
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (s[i] === s[j]) {
        s[j] = s[length];
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

export function findMapByKey(
  list: unknown[],
  key: string,
  value: unknown,
): { map: Record<string, unknown>; index: number } | undefined {
  for (let k = 0; k < list.length; k++) {
    const v = list[k];
    if (!isObject(v)) throw smpErrors.other(`value for key ${k} is not a map`);
    if (Object.prototype.hasOwnProperty.call(v, key) && v[key] === value) return { map: v, index: k };
  }
  return undefined;
}

/** Items of `list` present in `by` (by merge key for maps) and the server-only rest. */
export function partition(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  if (mergeKey === '') {
    const set = new Set(by);
    for (const v of list) (set.has(v) ? inPatch : serverOnly).push(v);
    return [inPatch, serverOnly];
  }
  for (const v of list) {
    if (!isObject(v)) throw smpErrors.badArgType('map', v);
    if (!Object.prototype.hasOwnProperty.call(v, mergeKey)) throw smpErrors.noMergeKey(v, mergeKey);
    (findMapByKey(by, mergeKey, v[mergeKey]) ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}

function indexIn(list: unknown[], item: unknown, mergeKey: string, isMap: boolean): number {
  const val = (x: unknown) => (isMap ? (isObject(x) ? x[mergeKey] : undefined) : x);
  const want = val(item);
  // Go compares a missing merge key as nil, which equals another missing one.
  return list.findIndex((v) => {
    const got = val(v);
    return got === want || ((got === undefined || got === null) && (want === undefined || want === null));
  });
}

export function validateMergeKeyInLists(mergeKey: string, ...lists: unknown[][]): void {
  for (const l of lists) {
    for (const item of l) {
      if (!isObject(item)) throw smpErrors.badArgType('map', item);
      if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw smpErrors.noMergeKey(item, mergeKey);
    }
  }
}

/** Splits `$patch: delete` items (kept, at the end) from the others. */
export function extractToDeleteItems(l: unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const del: unknown[] = [];
  for (const v of l) {
    if (!isObject(v)) throw smpErrors.badArgType('map', v);
    (Object.prototype.hasOwnProperty.call(v, directiveMarker) && v[directiveMarker] === 'delete' ? del : keep).push(v);
  }
  return [keep, del];
}

// normalizeSliceOrder: sorts `toSort` by position in `order`; items absent from `order` make the
// comparator answer "less", which is what upstream does.
function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, isMap: boolean): unknown[] {
  let items = [...toSort];
  let toDelete: unknown[] = [];
  if (isMap) {
    validateMergeKeyInLists(mergeKey, items, order);
    [items, toDelete] = extractToDeleteItems(items);
  }
  goSliceStable(items, (a, b) => {
    const ia = indexIn(order, a, mergeKey, isMap);
    if (ia >= 0) {
      const ib = indexIn(order, b, mergeKey, isMap);
      if (ib >= 0) return ia < ib;
    }
    return true;
  });
  return [...items, ...toDelete];
}

// mergeSortedSlice: interleaves server-only items (left) with patch items (right), taking a
// server item first only when both are in the live list and it comes earlier there.
function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, isMap: boolean) {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, isMap);
      const ri = indexIn(serverOrder, right[j], mergeKey, isMap);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** normalizeElementOrder: patch items ordered by patchOrder, server items by serverOrder, merged. */
export function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  isMap: boolean,
): unknown[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, isMap);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, isMap);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, isMap);
}
