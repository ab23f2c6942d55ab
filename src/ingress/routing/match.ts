// Request matching as the Ingress specification defines it, a pure function of the Ingresses of
// one class, so an ingress controller and a later Gateway implementation can share it.
//
// - Exact matches the URL path case-sensitively and whole: `/foo` does not match `/foo/`.
// - Prefix matches element by element of the `/`-split path, ignoring a trailing slash: `/foo`
//   matches `/foo`, `/foo/` and `/foo/bar`, not `/foobar`; `/` matches every path.
// - ImplementationSpecific is treated as Prefix here (kubesvc has no regular expressions).
// - Of the paths that match, the longest wins; on a tie Exact beats Prefix.
// - Hosts: a rule's exact host is preferred over a wildcard (`*.foo.com` matches `bar.foo.com`,
//   neither `foo.com` nor `baz.bar.foo.com`), which is preferred over rules without a host. Only
//   the most specific group of rules that exists for the host is searched, as ingress-nginx
//   serves one server block per host.
// - Nothing matches: the defaultBackend of the oldest Ingress that has one, else no route (the
//   controller answers 404).
import type { KubeObject } from '../../api/meta.js';
import type { HTTPIngressPath, Ingress, IngressServiceBackend } from '../../api/networking.js';

export interface Route {
  /** Namespace of the Ingress, where its Service lives. */
  namespace: string;
  /** `namespace/name` of the Ingress that supplied the route. */
  ingress: string;
  service: IngressServiceBackend;
  /** The path rule that matched; absent for a defaultBackend. */
  path?: string;
  pathType?: string;
}

interface PathRule {
  exact: boolean;
  path: string;
  /** Prefix paths as elements, without empty ones (trailing slash, `/` alone). */
  elements: string[];
  route: Route;
}

export interface RouteTable {
  exactHosts: Map<string, PathRule[]>;
  /** Keyed by the suffix after `*` (`.foo.com`). */
  wildcardHosts: Map<string, PathRule[]>;
  anyHost: PathRule[];
  defaultBackend?: Route;
}

/** A path as its `/`-separated elements, without empty ones (Prefix matching compares these). */
export const elementsOf = (p: string): string[] => p.split('/').filter((e) => e !== '');

function pathRule(ns: string, ingress: string, p: HTTPIngressPath): PathRule | undefined {
  const service = p.backend?.service;
  if (!service?.name) return undefined; // resource backends are not served
  const exact = p.pathType === 'Exact';
  const path = p.path || '/';
  return { exact, path, elements: elementsOf(path), route: { namespace: ns, ingress, service, path, pathType: p.pathType ?? 'Prefix' } };
}

/** Oldest first, then by `namespace/name`: the tie-break both the Ingress and the Gateway API specify. */
export function oldestFirst(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata.namespace}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Builds the table once per change, so a request costs a map lookup and a scan of its host's paths. */
export function buildRouteTable(ingresses: readonly Ingress[]): RouteTable {
  const table: RouteTable = { exactHosts: new Map(), wildcardHosts: new Map(), anyHost: [] };
  for (const ing of [...ingresses].sort(oldestFirst)) {
    const ns = ing.metadata.namespace ?? 'default';
    const key = `${ns}/${ing.metadata.name ?? ''}`;
    const def = ing.spec?.defaultBackend?.service;
    if (def?.name && !table.defaultBackend) table.defaultBackend = { namespace: ns, ingress: key, service: def };
    for (const rule of ing.spec?.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      let list: PathRule[];
      if (host === '') list = table.anyHost;
      else {
        const map = host.startsWith('*.') ? table.wildcardHosts : table.exactHosts;
        const k = host.startsWith('*.') ? host.slice(1) : host;
        list = map.get(k) ?? [];
        map.set(k, list);
      }
      for (const p of rule.http?.paths ?? []) {
        const r = pathRule(ns, key, p);
        if (r) list.push(r);
      }
    }
  }
  return table;
}

function prefixMatches(rule: PathRule, request: string[]): boolean {
  if (rule.elements.length > request.length) return false;
  for (let i = 0; i < rule.elements.length; i++) if (rule.elements[i] !== request[i]) return false;
  return true;
}

/** The best path rule for a path among one host's rules: longest first, Exact before Prefix on ties. */
export function matchPath(rules: readonly PathRule[], path: string): Route | undefined {
  let best: PathRule | undefined;
  let requestElements: string[] | undefined;
  for (const rule of rules) {
    let ok: boolean;
    if (rule.exact) ok = rule.path === path;
    else ok = prefixMatches(rule, (requestElements ??= elementsOf(path)));
    if (!ok) continue;
    if (!best || rule.path.length > best.path.length || (rule.path.length === best.path.length && rule.exact && !best.exact)) best = rule;
  }
  return best?.route;
}

/** The rules that apply to a Host header (port and case ignored): exact, else wildcard, else host-less. */
export function rulesForHost(table: RouteTable, hostHeader: string): readonly PathRule[] {
  const host = hostname(hostHeader);
  const exact = table.exactHosts.get(host);
  if (exact) return exact;
  const dot = host.indexOf('.');
  if (dot > 0) {
    const wild = table.wildcardHosts.get(host.slice(dot));
    if (wild) return wild;
  }
  return table.anyHost;
}

/** A Host header without its port; IPv6 literals keep their brackets. */
export function hostname(hostHeader: string): string {
  // Asked up to three times per request (the redirect check, Gateway listeners, Ingress rules) and
  // mostly for the Host of the request before: the last answer is kept. It is then also the same
  // string each time, whose hash Map lookups have already computed.
  if (hostHeader === lastHostHeader) return lastHostname;
  lastHostname = hostnameOf(hostHeader);
  lastHostHeader = hostHeader;
  return lastHostname;
}

let lastHostHeader: string | undefined;
let lastHostname = '';

function hostnameOf(hostHeader: string): string {
  const h = hostHeader.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  const host = colon >= 0 ? h.slice(0, colon) : h;
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/** Where a request goes, or undefined for the controller's 404. The path excludes the query. */
export function route(table: RouteTable, hostHeader: string, path: string): Route | undefined {
  return matchPath(rulesForHost(table, hostHeader), path) ?? table.defaultBackend;
}
