// Objects of one shape own the same fields, so their FieldsV1 are equal: Pods of one ReplicaSet,
// Services applied from one template. The watch cache keeps every object parsed, and a FieldsV1
// parsed per object roughly doubles what each costs in memory; sharing one frozen copy of equal
// FieldsV1 values keeps managedFields nearly free. Readers never change cached objects (they clone
// first), so sharing is safe. The table holds its values weakly: an entry lives as long as some
// object still uses the value. Held strongly (up to 50,000 entries) it kept the FieldsV1 of every
// deleted object around, unique ones included (a slice's ownerReference uid), ~35 MB after
// 10,000 Services created and deleted (bench/api-churn.ts).
import type { KubeObject } from '../../api/meta.js';

const shared = new Map<string, WeakRef<object>>();
// Drops the entry of a value nothing uses any more (unless the key got a new value since).
const finalizer = new FinalizationRegistry<string>((key) => {
  if (shared.get(key)?.deref() === undefined) shared.delete(key);
});

function deepFreeze(v: unknown): unknown {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Entries in the table (tests and diagnostics). */
export function sharedFieldsV1Count(): number {
  return shared.size;
}

/** The shared value for `key` (a FieldsV1 as JSON text); `make` gives one to freeze and share when none is alive. */
function interned(key: string, make: () => unknown): object {
  let v = shared.get(key)?.deref();
  if (v === undefined) {
    v = deepFreeze(make()) as object;
    shared.set(key, new WeakRef(v));
    finalizer.register(v, key);
  }
  return v;
}

/** Replaces each managedFields entry's fieldsV1 with a shared, frozen equal value. */
export function shareFieldsV1(obj: KubeObject): void {
  const entries = obj.metadata?.managedFields;
  if (!Array.isArray(entries)) return;
  for (const e of entries) {
    if (!e || typeof e !== 'object' || !e.fieldsV1 || typeof e.fieldsV1 !== 'object') continue;
    const own = e.fieldsV1;
    e.fieldsV1 = interned(JSON.stringify(own), () => own) as typeof e.fieldsV1;
  }
}

/** The shared, frozen FieldsV1 equal to `json` (a FieldsV1 as JSON text), parsed only when no object uses one yet. */
export function sharedFieldsV1(json: string): object {
  return interned(json, () => JSON.parse(json));
}
