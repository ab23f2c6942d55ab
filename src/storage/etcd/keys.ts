// Key intervals in etcd's byte terms. etcd names "every key with this prefix" as the range
// [prefix, prefix with its last byte incremented), and "every key from here on" with a range_end
// of a single zero byte.
const ALL_FROM = Buffer.from([0]);

export interface ByteRange {
  key: Buffer;
  range_end: Buffer;
}

/** The range_end that stops just after the keys starting with `prefix` (a zero byte = no end). */
export function rangeEndForPrefix(prefix: Buffer): Buffer {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return ALL_FROM;
  const out = Buffer.from(prefix.subarray(0, end));
  out[end - 1]! += 1;
  return out;
}

/** Keys under `prefix` from `startKey` (inclusive) on. */
export function prefixRange(prefix: string, startKey = ''): ByteRange {
  const p = Buffer.from(prefix);
  const start = Buffer.from(startKey);
  const from = Buffer.compare(start, p) > 0 ? start : p;
  return { key: from.length === 0 ? ALL_FROM : from, range_end: rangeEndForPrefix(p) };
}
