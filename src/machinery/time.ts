// metav1.Time on the wire: RFC 3339 in UTC to the second, as Go's Time.MarshalJSON of a
// metav1.Time writes it (fractions are dropped; MicroTime keeps them, and has its own writers).

/** `2026-12-06T15:04:05Z` for `ms` since the epoch (default now), or for a Date. */
export function metaTime(at: number | Date = Date.now()): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
