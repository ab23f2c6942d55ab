// Objects of one shape own the same fields, so their FieldsV1 are equal: Pods of one ReplicaSet,
// Services applied from one template. The watch cache keeps every object parsed, and a FieldsV1
// parsed per object roughly doubles what each costs in memory; sharing one frozen copy of equal
// FieldsV1 values keeps managedFields nearly free. Readers never change cached objects (they clone
// first), so sharing is safe.
import type { KubeObject } from '../../api/meta.js';

const maxShared = 50_000;
let shared = new Map<string, unknown>();

function deepFreeze(v: unknown): unknown {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Replaces each managedFields entry's fieldsV1 with a shared, frozen equal value. */
export function shareFieldsV1(obj: KubeObject): void {
  const entries = obj.metadata?.managedFields;
  if (!Array.isArray(entries)) return;
  for (const e of entries) {
    if (!e || typeof e !== 'object' || !e.fieldsV1 || typeof e.fieldsV1 !== 'object') continue;
    const key = JSON.stringify(e.fieldsV1);
    let v = shared.get(key);
    if (v === undefined) {
      // Bounded: past the limit start over rather than grow without end.
      if (shared.size >= maxShared) shared = new Map();
      v = deepFreeze(e.fieldsV1);
      shared.set(key, v);
    }
    e.fieldsV1 = v;
  }
}
