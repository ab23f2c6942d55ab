// The Gateway API's data-plane rules: the served listeners (model.ts) compiled once per change into
// a router for the shared HttpProxy. Per request: the listener whose hostname matches the Host
// most specifically (exact, then the longest wildcard, then none); among the rules of the routes
// attached to it, the route hostname that matches most specifically, then the HTTPRoute match
// precedence (Exact path; longest PathPrefix; RegularExpression paths after both; method; most
// header matches; most query matches; oldest route; `namespace/name`; rule and match order). The
// winning rule's filters run (header changes, redirect, URL rewrite), then one backendRef is
// chosen by weight — an invalid one answers 500, as the spec requires for its share.
import type { RE2JS } from '@bufbuild/re2';
import type { HTTPBackendRef, HTTPPathModifier, HTTPRoute, HTTPRouteFilter, HTTPRouteMatch } from '../api/gateway.js';
import { compileRegex } from '../api/apiextensions/regex.js';
import type { RoundRobin } from '../ingress/routing/backends.js';
import type { Decision, HeaderChanges, RouteInfo, RoutedRequest } from '../ingress/routing/proxy.js';
import { elementsOf, hostname as hostOf, oldestFirst } from '../ingress/routing/match.js';
import { hostScore } from './hostnames.js';
import type { ServedListener } from './model.js';

/** What the router needs from the cluster: a Service port's endpoints, and why a backendRef cannot be used. */
export interface RouterDeps {
  endpoints(namespace: string, name: string, port: number | undefined): RoundRobin | undefined;
  backendProblem(ref: HTTPBackendRef, routeNamespace: string): { reason: string } | undefined;
}

interface ValueMatch {
  name: string;
  exact?: string;
  regex?: RE2JS;
}

interface CompiledMatch {
  pathType: 'Exact' | 'PathPrefix' | 'RegularExpression';
  path: string;
  elements: string[];
  regex?: RE2JS;
  method?: string;
  headers: ValueMatch[];
  query: ValueMatch[];
}

interface Backend {
  namespace: string;
  name: string;
  port?: number;
  weight: number;
  invalid: boolean;
  requestHeaders: HeaderChanges[];
  responseHeaders: HeaderChanges[];
  /** Smooth weighted round robin state (nginx's): even spread, deterministic. */
  current: number;
  /**
   * The forward decision to this backend when the rule rewrites no path (then it is the same for
   * every request): built once per router, as the Ingress controller keeps one per route. A
   * change of routes, Services or Gateways builds a new router.
   */
  decision?: Decision;
}

interface CompiledRule {
  info: RouteInfo;
  listenerPort: number;
  requestHeaders: HeaderChanges[];
  responseHeaders: HeaderChanges[];
  redirect?: NonNullable<HTTPRouteFilter['requestRedirect']>;
  rewrite?: NonNullable<HTTPRouteFilter['urlRewrite']>;
  backends: Backend[];
}

interface Entry {
  /** The route's hostnames on this listener; null: any. */
  hostnames: string[] | null;
  match: CompiledMatch;
  rule: CompiledRule;
}

interface ListenerGroup {
  protocol: 'HTTP' | 'HTTPS';
  hostname?: string;
  port: number;
  entries: Entry[];
}

const anchored = (re: string): RE2JS | undefined => {
  const c = compileRegex(`^(?:${re})$`);
  return c instanceof Error ? undefined : c;
};

function compileMatch(m: HTTPRouteMatch): CompiledMatch | undefined {
  const pathType = m.path?.type ?? 'PathPrefix';
  const path = m.path?.value ?? '/';
  const out: CompiledMatch = { pathType, path, elements: elementsOf(path), headers: [], query: [] };
  if (pathType === 'RegularExpression') {
    out.regex = anchored(path);
    if (!out.regex) return undefined;
  }
  if (m.method) out.method = m.method;
  for (const [list, into, lower] of [[m.headers, out.headers, true], [m.queryParams, out.query, false]] as const) {
    for (const h of list ?? []) {
      const name = lower ? h.name.toLowerCase() : h.name;
      if (h.type === 'RegularExpression') {
        const regex = anchored(h.value);
        if (!regex) return undefined;
        into.push({ name, regex });
      } else into.push({ name, exact: h.value });
    }
  }
  return out;
}

function headerChanges(filters: readonly HTTPRouteFilter[] | undefined, which: 'requestHeaderModifier' | 'responseHeaderModifier'): HeaderChanges[] {
  const out: HeaderChanges[] = [];
  for (const f of filters ?? []) {
    const m = f[which];
    if (m && f.type === (which === 'requestHeaderModifier' ? 'RequestHeaderModifier' : 'ResponseHeaderModifier')) out.push(m);
  }
  return out;
}

/** Match precedence, best first (the HTTPRouteRule documentation's order). */
function compareMatches(a: CompiledMatch, b: CompiledMatch): number {
  const rank = (m: CompiledMatch) => (m.pathType === 'Exact' ? 2 : m.pathType === 'PathPrefix' ? 1 : 0);
  return (
    rank(b) - rank(a) ||
    (a.pathType !== 'RegularExpression' ? b.path.length - a.path.length : 0) ||
    Number(b.method !== undefined) - Number(a.method !== undefined) ||
    b.headers.length - a.headers.length ||
    b.query.length - a.query.length
  );
}

export class GatewayRouter {
  private readonly groups: ListenerGroup[] = [];

  constructor(listeners: readonly ServedListener[], private readonly deps: RouterDeps) {
    const byKey = new Map<string, ListenerGroup>();
    for (const l of listeners) {
      const k = `${l.protocol}|${l.hostname ?? ''}`;
      let g = byKey.get(k);
      if (!g) {
        g = { protocol: l.protocol, ...(l.hostname ? { hostname: l.hostname } : {}), port: l.port, entries: [] };
        byKey.set(k, g);
        this.groups.push(g);
      }
      const ordered: { entry: Entry; route: HTTPRoute; rule: number; match: number }[] = [];
      for (const { route, hostnames } of [...l.routes].sort((a, b) => oldestFirst(a.route, b.route))) {
        const ns = route.metadata.namespace ?? 'default';
        (route.spec?.rules ?? []).forEach((r, ri) => {
          const filters = r.filters ?? [];
          const rule: CompiledRule = {
            info: { kind: 'HTTPRoute', namespace: ns, name: route.metadata.name ?? '' },
            listenerPort: l.port,
            requestHeaders: headerChanges(filters, 'requestHeaderModifier'),
            responseHeaders: headerChanges(filters, 'responseHeaderModifier'),
            ...(filters.find((f) => f.type === 'RequestRedirect')?.requestRedirect ? { redirect: filters.find((f) => f.type === 'RequestRedirect')!.requestRedirect! } : {}),
            ...(filters.find((f) => f.type === 'URLRewrite')?.urlRewrite ? { rewrite: filters.find((f) => f.type === 'URLRewrite')!.urlRewrite! } : {}),
            backends: (r.backendRefs ?? []).map((b) => ({
              namespace: b.namespace ?? ns,
              name: b.name,
              ...(b.port !== undefined ? { port: b.port } : {}),
              weight: b.weight ?? 1,
              invalid: deps.backendProblem(b, ns) !== undefined,
              requestHeaders: headerChanges(b.filters, 'requestHeaderModifier'),
              responseHeaders: headerChanges(b.filters, 'responseHeaderModifier'),
              current: 0,
            })),
          };
          if (rule.backends.length === 1) rule.info.service = rule.backends[0]!.name;
          const matches = r.matches?.length ? r.matches : [{}];
          matches.forEach((m, mi) => {
            const match = compileMatch(m);
            if (match) ordered.push({ entry: { hostnames, match, rule }, route, rule: ri, match: mi });
          });
        });
      }
      g.entries.push(...ordered.map((o) => o.entry));
    }
    // Stable sort: ties keep route age, name, rule and match order from above (routes of several
    // listeners in one group are merged in route order first).
    for (const g of this.groups) g.entries.sort((a, b) => compareMatches(a.match, b.match));
  }

  /** Whether any listener serves this protocol at all (else the request is the Ingress side's). */
  serves(protocol: 'HTTP' | 'HTTPS'): boolean {
    return this.groups.some((g) => g.protocol === protocol);
  }

  /** The listener group a request is for: the most specific listener hostname that matches. */
  private group(protocol: 'HTTP' | 'HTTPS', host: string): ListenerGroup | undefined {
    let best: ListenerGroup | undefined;
    let bestScore = -1;
    for (const g of this.groups) {
      if (g.protocol !== protocol) continue;
      const s = hostScore(g.hostname ?? null, host);
      if (s > bestScore) {
        best = g;
        bestScore = s;
      }
    }
    return best;
  }

  /** The listener hostnames of HTTPS listeners matching an SNI name, most specific first: which certificate to present. */
  listenerFor(protocol: 'HTTP' | 'HTTPS', host: string): { hostname?: string } | undefined {
    const g = this.group(protocol, host.toLowerCase());
    return g ? { ...(g.hostname ? { hostname: g.hostname } : {}) } : undefined;
  }

  readonly route = (req: RoutedRequest, scheme: 'http' | 'https'): Decision | undefined => {
    const protocol = scheme === 'https' ? 'HTTPS' : 'HTTP';
    const host = hostOf(req.headers.host ?? '');
    const g = this.group(protocol, host);
    if (!g) return undefined;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const query = q >= 0 ? url.slice(q) : '';
    let params: URLSearchParams | undefined;
    let best: Entry | undefined;
    let bestScore = -1;
    for (const e of g.entries) {
      let s = 0;
      if (e.hostnames !== null) {
        s = -1;
        for (const h of e.hostnames) s = Math.max(s, hostScore(h, host));
      }
      if (s < 0 || s <= bestScore) continue;
      if (!matches(e.match, req, path, () => (params ??= new URLSearchParams(query)))) continue;
      best = e;
      bestScore = s;
    }
    // No rule matched: the spec's 404, unless an Ingress of the same data plane serves the request.
    if (!best) return undefined;
    return this.decide(best, req, scheme, path, query);
  };

  private decide(e: Entry, req: RoutedRequest, scheme: 'http' | 'https', path: string, query: string): Decision {
    const rule = e.rule;
    if (rule.redirect) {
      const f = rule.redirect;
      const toScheme = f.scheme ?? scheme;
      const host = f.hostname ?? hostOf(req.headers.host ?? '');
      const port = f.port ?? (f.scheme ? undefined : rule.listenerPort);
      const wellKnown = (toScheme === 'http' && (port === undefined || port === 80)) || (toScheme === 'https' && (port === undefined || port === 443));
      const toPath = f.path ? rewritePath(f.path, e.match, path) : path;
      return { kind: 'respond', info: rule.info, status: f.statusCode ?? 302, headers: { location: `${toScheme}://${host}${wellKnown ? '' : `:${port}`}${toPath}${query}` } };
    }
    const b = pickWeighted(rule.backends);
    if (!b || b.invalid) return { kind: 'respond', info: rule.info, status: 500, body: '500 Internal Server Error: the route has no valid backend\n' };
    const rw = rule.rewrite;
    if (b.decision && !rw?.path) return b.decision;
    const info = rule.backends.length === 1 ? rule.info : { ...rule.info, service: b.name };
    const decision: Decision = {
      kind: 'forward',
      info,
      endpoints: this.deps.endpoints(b.namespace, b.name, b.port),
      ...(rw?.path ? { url: `${rewritePath(rw.path, e.match, path)}${query}` } : {}),
      ...(rw?.hostname ? { host: rw.hostname } : {}),
      requestHeaders: [...rule.requestHeaders, ...b.requestHeaders],
      responseHeaders: [...rule.responseHeaders, ...b.responseHeaders],
    };
    if (!rw?.path) b.decision = decision;
    return decision;
  }
}

function matches(m: CompiledMatch, req: RoutedRequest, path: string, params: () => URLSearchParams): boolean {
  if (m.pathType === 'Exact') {
    if (path !== m.path) return false;
  } else if (m.pathType === 'PathPrefix') {
    if (m.elements.length) {
      const req = elementsOf(path);
      if (m.elements.length > req.length) return false;
      for (let i = 0; i < m.elements.length; i++) if (m.elements[i] !== req[i]) return false;
    }
  } else if (!m.regex!.test(path)) return false;
  if (m.method !== undefined && req.method !== m.method) return false;
  for (const h of m.headers) {
    // Own properties only: a header match named `constructor` must not find Object's.
    const v = Object.hasOwn(req.headers, h.name) ? req.headers[h.name] : undefined;
    if (typeof v !== 'string' && !Array.isArray(v)) return false;
    const value = Array.isArray(v) ? v.join(',') : v;
    if (h.exact !== undefined ? value !== h.exact : !h.regex!.test(value)) return false;
  }
  for (const qp of m.query) {
    const v = params().get(qp.name);
    if (v === null) return false;
    if (qp.exact !== undefined ? v !== qp.exact : !qp.regex!.test(v)) return false;
  }
  return true;
}

/**
 * A path modifier applied: ReplaceFullPath replaces the whole path; ReplacePrefixMatch replaces the
 * matched PathPrefix element by element (`/prefix/one` → `/one` turns `/prefix/one/two` into
 * `/one/two`; a replacement of `/` strips the prefix, leaving at least `/`).
 */
export function rewritePath(mod: HTTPPathModifier, m: { pathType: string; elements: readonly string[] }, path: string): string {
  if (mod.type === 'ReplaceFullPath') return mod.replaceFullPath ?? '/';
  if (m.pathType !== 'PathPrefix') return path;
  const reqElements = elementsOf(path);
  const rest = reqElements.slice(m.elements.length);
  // `/foo/` with prefix `/foo` and replacement `/xyz` is `/xyz/` (the spec's table).
  const trailing = path.endsWith('/') && path !== '/';
  const base = (mod.replacePrefixMatch ?? '/').replace(/\/+$/, '');
  const joined = `${base}${rest.length ? `/${rest.join('/')}` : ''}${trailing ? '/' : ''}`;
  return joined === '' ? '/' : joined;
}

/** Smooth weighted round robin: each backend gets its weight's share, spread evenly. */
function pickWeighted(backends: Backend[]): Backend | undefined {
  if (backends.length === 1) return backends[0]!.weight > 0 ? backends[0] : undefined;
  let total = 0;
  let best: Backend | undefined;
  for (const b of backends) {
    if (b.weight <= 0) continue;
    b.current += b.weight;
    total += b.weight;
    if (!best || b.current > best.current) best = b;
  }
  if (best) best.current -= total;
  return best;
}

