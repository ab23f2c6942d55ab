// Prefix ranges as half-open key intervals [prefix, end), the way etcd expresses "every key with
// this prefix" (range_end = prefix with its last byte incremented). Comparing against an upper
// bound lets the store walk an index instead of testing every key, and it is exact: with the
// prefix '/registry/services/' the bound is '/registry/services0', so '/registry/servicesx/a'
// (which sorts after the bound) is never included.
//
// SQLite compares TEXT as UTF-8 bytes, which is code point order, so the bound is computed on
// code points rather than UTF-16 code units.

const MAX_CODE_POINT = 0x10ffff;

/** The smallest string greater than every string starting with `prefix`; undefined = no bound. */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const cp = points.pop()!.codePointAt(0)!;
    if (cp < MAX_CODE_POINT) {
      // Skip the surrogate block: those code points cannot appear in well-formed text.
      const next = cp + 1 === 0xd800 ? 0xe000 : cp + 1;
      return points.join('') + String.fromCodePoint(next);
    }
    // The highest code point cannot be incremented; drop it and bump the one before, as etcd
    // does for a trailing 0xff byte.
  }
  return undefined;
}

/**
 * Order keys as the stores do (SQLite compares UTF-8 bytes, etcd compares bytes): code point
 * order. JavaScript's `<` compares UTF-16 code units, which disagrees for characters above
 * U+FFFF against U+E000–U+FFFF; shifting code units so surrogates sort last fixes that.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}
