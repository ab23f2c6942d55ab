// Hostname rules of the Gateway API: a wildcard `*.example.com` is a suffix match over any number
// of labels (`a.example.com`, `a.b.example.com`, never `example.com`) — unlike Ingress, where a
// wildcard covers exactly one label. Listener and HTTPRoute hostnames intersect; an empty
// hostname means any.

/** Whether a request host (lower case, no port) matches a pattern (exact or `*.suffix`). */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host.length > pattern.length - 1 && host.endsWith(pattern.slice(1));
  return pattern === host;
}

/**
 * The hostnames a route serves on a listener: the route's hostnames that fall under the
 * listener's (a route's wildcard narrower than the listener's exact name yields the listener's
 * name). null means any host; an empty list means none intersect (the route cannot attach).
 */
export function intersectHostnames(listener: string | undefined, route: readonly string[] | undefined): string[] | null {
  const l = listener?.toLowerCase();
  const hs = (route ?? []).map((h) => h.toLowerCase());
  if (!l) return hs.length ? hs : null;
  if (!hs.length) return [l];
  const out = new Set<string>();
  for (const h of hs) {
    if (h === l) out.add(h);
    else if (!h.startsWith('*.') && hostMatches(l, h)) out.add(h);
    else if (h.startsWith('*.') && hostMatches(h, l.startsWith('*.') ? l.slice(2) : l)) out.add(l);
    else if (h.startsWith('*.') && l.startsWith('*.') && hostMatches(l, h.slice(2))) out.add(h);
  }
  return [...out];
}

/**
 * How specifically a pattern matches a host, as the HTTPRoute hostname precedence ranks it:
 * characters in a matching non-wildcard hostname first, then characters in a matching hostname.
 * -1 when it does not match; null patterns (any host) rank lowest.
 */
export function hostScore(pattern: string | null, host: string): number {
  if (pattern === null) return 0;
  if (!hostMatches(pattern, host)) return -1;
  return pattern.startsWith('*.') ? 1 + pattern.length : 1_000 + pattern.length;
}
