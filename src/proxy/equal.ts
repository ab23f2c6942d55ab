// Deep equality of the proxy's plain records (built in a fixed field order from pure functions),
// which is what upstream's reflect.DeepEqual compares in the change trackers.
export function sameRecord(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function sameMap<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    if (!b.has(k) || !sameRecord(v, b.get(k))) return false;
  }
  return true;
}
