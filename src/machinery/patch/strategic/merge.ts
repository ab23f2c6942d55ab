// The server side of strategic merge patch (StrategicMergeMapPatch with MergeParallelList and
// IgnoreUnmatchedNulls), working in place on values the caller has already copied.
import { goV } from '../../goformat.js';
import { isObject, type JsonObject } from '../json.js';
import type { PatchSchema } from '../schema.js';
import { smpErrors } from './errors.js';
import { GoSlice } from './go-slice.js';
import { lookupField, schemaName } from './lookup.js';
import {
  deduplicateScalars,
  directiveMarker,
  extractToDeleteItems,
  findMapByKey,
  goType,
  normalizeElementOrder,
  partition,
  sliceElementType,
} from './order.js';

const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const setElementOrderPrefix = '$setElementOrder';
const retainKeysDirective = '$retainKeys';

const has = (o: JsonObject, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** The part after "<prefix>/", or the format error upstream returns for that prefix. */
function extractKey(s: string, prefix: string): string {
  const i = s.indexOf('/');
  if (i < 0 || s.slice(0, i) !== prefix) {
    throw prefix === deleteFromPrimitiveListPrefix ? smpErrors.badPrimitiveListFormat() : smpErrors.badSetElementOrderFormat();
  }
  return s.slice(i + 1);
}

/** Drops null members at any depth: a patch value for a field the live object lacks. */
function discardNullValues(v: unknown): void {
  if (isObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNullValues(v[k]);
    }
  } else if (Array.isArray(v)) {
    for (const x of v) discardNullValues(x);
  }
}

/** removeDirectives: maps carrying `$patch` vanish (keep=false); lists drop such items. */
function removeDirectives(v: unknown): [unknown, boolean] {
  if (isObject(v)) {
    if (has(v, directiveMarker)) return [undefined, false];
    for (const k of Object.keys(v)) {
      const [nv, keep] = removeDirectives(v[k]);
      if (keep) v[k] = nv;
      else delete v[k];
    }
    return [v, true];
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const [nv, keep] = removeDirectives(x);
      if (keep) out.push(nv);
    }
    return [out, true];
  }
  return [v, true];
}

function setFromPatch(original: JsonObject, k: string, patchV: unknown): void {
  discardNullValues(patchV);
  const [nv, keep] = removeDirectives(patchV);
  if (keep) original[k] = nv;
  else delete original[k];
}

export function mergeMap(original: JsonObject | undefined, patch: JsonObject, schema: PatchSchema | undefined): JsonObject {
  if (has(patch, directiveMarker)) {
    const d = patch[directiveMarker];
    if (d === 'replace') {
      delete patch[directiveMarker];
      return patch;
    }
    if (d === 'delete') return {};
    throw smpErrors.badPatchType(d, patch);
  }
  const orig = original ?? {};
  applyRetainKeys(orig, patch);
  mergeSetElementOrder(orig, patch, schema);

  for (const key of Object.keys(patch)) {
    const patchV = patch[key];
    let k = key;
    let isDeleteList = false;
    if (key.startsWith(deleteFromPrimitiveListPrefix)) {
      k = extractKey(key, deleteFromPrimitiveListPrefix);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete orig[k];
      continue;
    }
    if (!has(orig, k) || goType(orig[k]) !== goType(patchV)) {
      if (!isDeleteList) setFromPatch(orig, k, patchV);
      continue;
    }
    const meta = lookupField(schema, k);
    const t = goType(patchV);
    if (t === 'map') {
      orig[k] = meta.strategy === 'replace' ? patchV : mergeMap(orig[k] as JsonObject, patchV as JsonObject, meta.sub);
    } else if (t === 'slice') {
      orig[k] =
        meta.strategy === 'merge' || isDeleteList
          ? mergeSlice(GoSlice.decoded(orig[k] as unknown[]), patchV as unknown[], meta.sub, meta.mergeKey, isDeleteList)
          : patchV;
    } else {
      setFromPatch(orig, k, patchV);
    }
  }
  return orig;
}

// $retainKeys: drop live fields not listed; every non-null patch field must be listed.
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!has(patch, retainKeysDirective)) return;
  const list = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(list)) throw smpErrors.badRetainKeysFormat();
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
    if (!keep.has(k)) throw smpErrors.badRetainKeysFormat();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

// $setElementOrder/<list>: merges <list> now and orders the result by the directive.
function mergeSetElementOrder(original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw smpErrors.badArgType('slice', order);
    const listKey = extractKey(key, setElementOrderPrefix);
    const foundOriginal = has(original, listKey);
    const foundPatch = has(patch, listKey);
    let originalList: unknown[] = [];
    let patchList: unknown[] = [];
    if (foundOriginal) {
      if (!Array.isArray(original[listKey])) throw smpErrors.badArgType('slice', original[listKey]);
      originalList = original[listKey] as unknown[];
    }
    if (foundPatch) {
      if (!Array.isArray(patch[listKey])) throw smpErrors.badArgType('slice', patch[listKey]);
      patchList = patch[listKey] as unknown[];
    }
    const meta = lookupField(schema, listKey);
    validatePatchWithSetOrderList(patchList, order, meta.mergeKey);

    let merged: unknown[];
    // Merging may rewrite the live list's backing array; the order below reads it afterwards.
    const live = GoSlice.decoded(originalList);
    if (foundOriginal && !foundPatch) merged = originalList;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList)[0] as unknown[];
    else if (foundOriginal && foundPatch) {
      merged = meta.strategy === 'merge' ? mergeSlice(live, patchList, meta.sub, meta.mergeKey, false) : patchList;
    } else continue;

    const liveView = live.items();
    const [patchItems, serverOnly] = partition(merged, order, meta.mergeKey);
    const isMap = sliceElementType(liveView, patchList) === 'map';
    original[listKey] = normalizeElementOrder(patchItems, serverOnly, order, liveView, meta.mergeKey, isMap);
    delete patch[listKey];
  }
}

// The patch list's items (deletions aside) must appear in $setElementOrder in the same order.
function validatePatchWithSetOrderList(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? extractToDeleteItems(patchList)[0] : patchList;
  let pi = 0;
  let oi = 0;
  while (pi < nonDelete.length && oi < order.length) {
    const item = nonDelete[pi];
    if (isObject(item) && has(item, directiveMarker)) {
      pi++;
      continue;
    }
    if (mergeKeyValueEqual(item, order[oi], mergeKey)) pi++;
    oi++;
  }
  if (pi < nonDelete.length && oi >= order.length) {
    throw smpErrors.other(
      `The order in patch list:\n${goV(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goV(order)}\n`,
    );
  }
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isObject(left)) throw smpErrors.badArgType('map', left);
  if (!isObject(right)) throw smpErrors.badArgType('map', right);
  if (!has(left, mergeKey)) throw smpErrors.noMergeKey(left, mergeKey);
  if (!has(right, mergeKey)) throw smpErrors.noMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

function mergeSlice(
  original: GoSlice,
  patch: unknown[],
  itemSchema: PatchSchema | undefined,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  if (original.len === 0 && patch.length === 0) return original.items();
  const isMap = sliceElementType(original.items(), patch) === 'map';
  if (!isMap) {
    if (isDeleteList) {
      const del = new Set(patch);
      return original.items().filter((v) => !del.has(v));
    }
    const merged = deduplicateScalars([...original.items(), ...patch]);
    const [patchItems, serverOnly] = partition(merged, patch, mergeKey);
    return normalizeElementOrder(patchItems, serverOnly, patch, original.items(), mergeKey, false);
  }
  if (mergeKey === '') throw smpErrors.other(`cannot merge lists without merge key for ${schemaName(itemSchema)}`);
  const [orig, pat] = mergeSpecialElements(original, patch, mergeKey);
  const merged = mergeWithoutSpecialElements(orig, pat ?? [], mergeKey, itemSchema);
  const [patchItems, serverOnly] = partition(merged, pat ?? [], mergeKey);
  return normalizeElementOrder(patchItems, serverOnly, pat ?? [], orig.items(), mergeKey, true);
}

// `$patch: delete` items remove every live item with that merge key; `$patch: replace` makes
// the rest of the patch list the whole list.
function mergeSpecialElements(original: GoSlice, patch: unknown[], mergeKey: string): [GoSlice, unknown[] | undefined] {
  const plain: unknown[] = [];
  let replace = false;
  let orig = original;
  for (const v of patch) {
    const m = v as JsonObject;
    if (!has(m, directiveMarker)) {
      plain.push(v);
      continue;
    }
    switch (m[directiveMarker]) {
      case 'delete': {
        if (!has(m, mergeKey)) throw smpErrors.noMergeKey(m, mergeKey);
        for (let f = findMapByKey(orig.items(), mergeKey, m[mergeKey]); f; f = findMapByKey(orig.items(), mergeKey, m[mergeKey])) {
          orig = orig.removeAt(f.index);
        }
        break;
      }
      case 'replace':
        replace = true;
        break;
      case 'merge':
        throw smpErrors.other('merging lists cannot yet be specified in the patch');
      default:
        throw smpErrors.badPatchType(m[directiveMarker], m);
    }
  }
  return replace ? [GoSlice.decoded(plain), undefined] : [orig, plain];
}

function mergeWithoutSpecialElements(
  original: GoSlice,
  patch: unknown[],
  mergeKey: string,
  itemSchema: PatchSchema | undefined,
): unknown[] {
  let out = original;
  for (const v of patch) {
    const m = v as JsonObject;
    if (!has(m, mergeKey)) throw smpErrors.noMergeKey(m, mergeKey);
    const found = findMapByKey(out.items(), mergeKey, m[mergeKey]);
    if (found) out.set(found.index, mergeMap(found.map, m, itemSchema));
    else out = out.append(v);
  }
  return out.items();
}
