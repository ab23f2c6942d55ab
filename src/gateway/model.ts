// The Gateway API's control-plane rules as one pure function: from the GatewayClasses, Gateways,
// HTTPRoutes, ReferenceGrants, Namespaces, Services and Secrets in the cluster, which listeners
// are served, which routes attach to which listeners, and every status condition the spec
// requires (GatewayClass Accepted; Gateway Accepted/Programmed and each listener's
// Accepted/Programmed/ResolvedRefs/Conflicted with attachedRoutes; each route parent's
// Accepted/ResolvedRefs) with the spec's reasons. The controller writes what this returns; the
// data plane (match.ts) serves the listeners it returns.
import type { Secret } from '../api/core.js';
import {
  GatewayGroup,
  type Condition,
  type Gateway,
  type GatewayClass,
  type HTTPBackendRef,
  type HTTPRoute,
  type HTTPRouteFilter,
  type Listener,
  type ListenerStatus,
  type ParentReference,
  type ReferenceGrant,
  type RouteGroupKind,
  type RouteParentStatus,
} from '../api/gateway.js';
import { labelSelectorAsSelector } from '../machinery/labels/from-meta.js';
import { intersectHostnames } from './hostnames.js';

export interface GatewayWorld {
  controllerName: string;
  classes: readonly GatewayClass[];
  gateways: readonly Gateway[];
  routes: readonly HTTPRoute[];
  grants: readonly ReferenceGrant[];
  /** Namespace labels by name (for allowedRoutes.namespaces.from: Selector). */
  namespaceLabels: (name: string) => Record<string, string> | undefined;
  serviceExists: (namespace: string, name: string) => boolean;
  secret: (namespace: string, name: string) => Secret | undefined;
  /** The listener ports the data plane serves, per protocol (e.g. HTTP [80], HTTPS [443]). */
  ports: { HTTP: readonly number[]; HTTPS: readonly number[] };
  /** The data plane's addresses (its LoadBalancer Service's IPs). */
  addresses: readonly string[];
  now: string;
}

/** A listener the data plane serves, with the routes attached to it. */
export interface ServedListener {
  gateway: { namespace: string; name: string };
  name: string;
  protocol: 'HTTP' | 'HTTPS';
  port: number;
  hostname?: string;
  /** HTTPS: the certificates, as Secrets (already checked: present, allowed, kubernetes.io/tls). */
  certificates: { namespace: string; name: string }[];
  routes: { route: HTTPRoute; hostnames: string[] | null }[];
}

export interface GatewayPlan {
  classStatus: Map<string, Condition[]>;
  gatewayStatus: Map<string, NonNullable<Gateway['status']>>;
  /** By `namespace/name` of the route: this controller's parent statuses (others' are kept by the writer). */
  routeStatus: Map<string, RouteParentStatus[]>;
  listeners: ServedListener[];
}

const httpRouteKind: RouteGroupKind = { group: GatewayGroup, kind: 'HTTPRoute' };
const supportedFilters = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite']);

function cond(type: string, ok: boolean, reason: string, message: string, generation: number | undefined, now: string): Condition {
  return { type, status: ok ? 'True' : 'False', reason, message, ...(generation !== undefined ? { observedGeneration: generation } : {}), lastTransitionTime: now };
}

const key = (o: { metadata: { namespace?: string; name?: string } }) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

/** Whether a ReferenceGrant in `toNamespace` lets `from` (group, kind, namespace) refer to `to` (group, kind, name). */
export function referenceAllowed(
  grants: readonly ReferenceGrant[],
  from: { group: string; kind: string; namespace: string },
  to: { group: string; kind: string; namespace: string; name: string },
): boolean {
  if (from.namespace === to.namespace) return true;
  return grants.some(
    (g) =>
      g.metadata.namespace === to.namespace &&
      (g.spec?.from ?? []).some((f) => f.group === from.group && f.kind === from.kind && f.namespace === from.namespace) &&
      (g.spec?.to ?? []).some((t) => t.group === to.group && t.kind === to.kind && (!t.name || t.name === to.name)),
  );
}

interface ListenerCheck {
  listener: Listener;
  status: ListenerStatus;
  /** Accepted, not conflicted and every reference resolved: routes may attach. */
  usable: boolean;
  certificates: { namespace: string; name: string }[];
}

function checkListeners(gw: Gateway, w: GatewayWorld): ListenerCheck[] {
  const ns = gw.metadata.namespace ?? 'default';
  const gen = gw.metadata.generation;
  const listeners = gw.spec?.listeners ?? [];
  return listeners.map((l) => {
    const conditions: Condition[] = [];
    const protocolOK = l.protocol === 'HTTP' || l.protocol === 'HTTPS';
    // Conflicts within the Gateway: the same port with another protocol, or the same port and hostname twice.
    const same = listeners.filter((o) => o !== l && o.port === l.port);
    const protocolConflict = same.some((o) => o.protocol !== l.protocol);
    const hostnameConflict = !protocolConflict && same.some((o) => (o.hostname ?? '') === (l.hostname ?? ''));
    let accepted = true;
    let acceptedReason = 'Accepted';
    let acceptedMessage = 'Listener is accepted';
    if (!protocolOK) {
      accepted = false;
      acceptedReason = 'UnsupportedProtocol';
      acceptedMessage = `protocol ${l.protocol} is not supported: use HTTP or HTTPS`;
    } else if (!w.ports[l.protocol as 'HTTP' | 'HTTPS'].includes(l.port)) {
      accepted = false;
      acceptedReason = 'PortUnavailable';
      acceptedMessage = `the kubesvc data plane serves ${l.protocol} on port ${w.ports[l.protocol as 'HTTP' | 'HTTPS'].join(' or ')}, not ${l.port}`;
    } else if (l.protocol === 'HTTPS' && (l.tls?.mode ?? 'Terminate') !== 'Terminate') {
      accepted = false;
      acceptedReason = 'UnsupportedValue';
      acceptedMessage = 'HTTPS listeners terminate TLS: tls.mode Passthrough is not supported';
    }
    // Route kinds: HTTPRoute is the one kind served; others named are reported and left out.
    const asked = l.allowedRoutes?.kinds;
    const supportedKinds: RouteGroupKind[] = [];
    let kindsOK = true;
    // A listener of a protocol not served supports no kind at all (its Accepted says why).
    if (protocolOK && !asked?.length) supportedKinds.push({ ...httpRouteKind });
    else if (protocolOK)
      for (const k of asked ?? []) {
        if ((k.group ?? GatewayGroup) === GatewayGroup && k.kind === 'HTTPRoute') supportedKinds.push({ ...httpRouteKind });
        else kindsOK = false;
      }
    let refsOK = true;
    let refsReason = 'ResolvedRefs';
    let refsMessage = 'All references resolved';
    if (!kindsOK) {
      refsOK = false;
      refsReason = 'InvalidRouteKinds';
      refsMessage = 'only HTTPRoute (gateway.networking.k8s.io) is supported';
    }
    const certificates: { namespace: string; name: string }[] = [];
    if (protocolOK && l.protocol === 'HTTPS') {
      for (const ref of l.tls?.certificateRefs ?? []) {
        const refNs = ref.namespace ?? ns;
        if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret') {
          refsOK = false;
          refsReason = 'InvalidCertificateRef';
          refsMessage = `certificateRef ${ref.name} is not a core Secret`;
          continue;
        }
        if (!referenceAllowed(w.grants, { group: GatewayGroup, kind: 'Gateway', namespace: ns }, { group: '', kind: 'Secret', namespace: refNs, name: ref.name })) {
          refsOK = false;
          refsReason = 'RefNotPermitted';
          refsMessage = `no ReferenceGrant in ${refNs} lets Gateways in ${ns} use Secret ${ref.name}`;
          continue;
        }
        const s = w.secret(refNs, ref.name);
        if (!s || s.type !== 'kubernetes.io/tls' || !s.data?.['tls.crt'] || !s.data?.['tls.key']) {
          refsOK = false;
          refsReason = 'InvalidCertificateRef';
          refsMessage = s ? `Secret ${refNs}/${ref.name} is not a kubernetes.io/tls Secret with tls.crt and tls.key` : `Secret ${refNs}/${ref.name} does not exist`;
          continue;
        }
        certificates.push({ namespace: refNs, name: ref.name });
      }
      if (!l.tls?.certificateRefs?.length) {
        refsOK = false;
        refsReason = 'InvalidCertificateRef';
        refsMessage = 'an HTTPS listener needs tls.certificateRefs';
      }
    }
    const conflicted = protocolConflict || hostnameConflict;
    conditions.push(cond('Accepted', accepted, acceptedReason, acceptedMessage, gen, w.now));
    conditions.push(cond('ResolvedRefs', refsOK, refsReason, refsMessage, gen, w.now));
    conditions.push(
      cond('Conflicted', conflicted, protocolConflict ? 'ProtocolConflict' : hostnameConflict ? 'HostnameConflict' : 'NoConflicts', conflicted ? `another listener uses port ${l.port}${hostnameConflict ? ' with the same hostname' : ' with another protocol'}` : 'No conflicts', gen, w.now),
    );
    const usable = accepted && refsOK && !conflicted;
    conditions.push(cond('Programmed', usable, usable ? 'Programmed' : 'Invalid', usable ? 'Listener is programmed' : 'Listener is not valid', gen, w.now));
    return { listener: l, status: { name: l.name, supportedKinds, attachedRoutes: 0, conditions }, usable, certificates };
  });
}

function namespaceAllowed(l: Listener, gwNamespace: string, routeNamespace: string, w: GatewayWorld): boolean {
  const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return gwNamespace === routeNamespace;
  try {
    return labelSelectorAsSelector(l.allowedRoutes?.namespaces?.selector).matches(w.namespaceLabels(routeNamespace) ?? {});
  } catch {
    return false;
  }
}

/** ResolvedRefs of a route: the first backendRef problem, in rule order (the spec's reasons). */
function resolveBackends(route: HTTPRoute, w: GatewayWorld): { ok: boolean; reason: string; message: string } {
  const ns = route.metadata.namespace ?? 'default';
  const refs: HTTPBackendRef[] = [];
  for (const r of route.spec?.rules ?? []) {
    refs.push(...(r.backendRefs ?? []));
    for (const f of r.filters ?? []) if (f.requestMirror?.backendRef) refs.push(f.requestMirror.backendRef);
  }
  for (const ref of refs) {
    const b = backendProblem(ref, ns, w);
    if (b) return { ok: false, ...b };
  }
  return { ok: true, reason: 'ResolvedRefs', message: 'All references resolved' };
}

/** Why a backendRef cannot be used (reason and message), or undefined when it can. */
export function backendProblem(ref: HTTPBackendRef, routeNamespace: string, w: Pick<GatewayWorld, 'grants' | 'serviceExists'>): { reason: string; message: string } | undefined {
  const refNs = ref.namespace ?? routeNamespace;
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') return { reason: 'InvalidKind', message: `backendRef ${ref.name}: ${ref.group ?? ''}/${ref.kind ?? ''} is not supported, only core Services` };
  if (!referenceAllowed(w.grants, { group: GatewayGroup, kind: 'HTTPRoute', namespace: routeNamespace }, { group: '', kind: 'Service', namespace: refNs, name: ref.name }))
    return { reason: 'RefNotPermitted', message: `no ReferenceGrant in ${refNs} lets HTTPRoutes in ${routeNamespace} send to Service ${ref.name}` };
  if (!w.serviceExists(refNs, ref.name)) return { reason: 'BackendNotFound', message: `Service ${refNs}/${ref.name} not found` };
  return undefined;
}

function unsupportedFilter(route: HTTPRoute): HTTPRouteFilter | undefined {
  for (const r of route.spec?.rules ?? []) {
    for (const f of r.filters ?? []) if (!supportedFilters.has(f.type)) return f;
    for (const b of r.backendRefs ?? []) for (const f of b.filters ?? []) if (!supportedFilters.has(f.type)) return f;
  }
  return undefined;
}

const isGatewayRef = (p: ParentReference) => (p.group ?? GatewayGroup) === GatewayGroup && (p.kind ?? 'Gateway') === 'Gateway';

export function planGateways(w: GatewayWorld): GatewayPlan {
  const plan: GatewayPlan = { classStatus: new Map(), gatewayStatus: new Map(), routeStatus: new Map(), listeners: [] };
  const ours = new Set<string>();
  for (const c of w.classes) {
    if (c.spec?.controllerName !== w.controllerName) continue;
    const name = c.metadata.name ?? '';
    ours.add(name);
    const gen = c.metadata.generation;
    plan.classStatus.set(name, [
      cond('Accepted', true, 'Accepted', 'Handled by the kubesvc gateway controller', gen, w.now),
      cond('SupportedVersion', true, 'SupportedVersion', 'Gateway API v1.6 (standard channel)', gen, w.now),
    ]);
  }
  // Gateways of our classes, and their listeners checked.
  const gateways = new Map<string, { gw: Gateway; listeners: ListenerCheck[] }>();
  for (const gw of w.gateways) {
    if (!ours.has(gw.spec?.gatewayClassName ?? '') || gw.metadata.deletionTimestamp) continue;
    gateways.set(key(gw), { gw, listeners: checkListeners(gw, w) });
  }
  // Routes attach to listeners.
  const attached = new Map<ListenerCheck, { route: HTTPRoute; hostnames: string[] | null }[]>();
  const sortedRoutes = [...w.routes].sort((a, b) => key(a).localeCompare(key(b)));
  for (const route of sortedRoutes) {
    if (route.metadata.deletionTimestamp) continue;
    const rns = route.metadata.namespace ?? 'default';
    const gen = route.metadata.generation;
    const parents: RouteParentStatus[] = [];
    const refs = resolveBackends(route, w);
    const badFilter = unsupportedFilter(route);
    for (const p of route.spec?.parentRefs ?? []) {
      if (!isGatewayRef(p)) continue;
      const g = gateways.get(`${p.namespace ?? rns}/${p.name}`);
      if (!g) continue; // not a Gateway of ours: another controller's to report on
      const parentRef: ParentReference = { group: GatewayGroup, kind: 'Gateway', ...p };
      const candidates = g.listeners.filter((l) => (p.sectionName === undefined || l.listener.name === p.sectionName) && (p.port === undefined || l.listener.port === p.port));
      let accepted: Condition;
      if (!candidates.length) accepted = cond('Accepted', false, 'NoMatchingParent', p.sectionName !== undefined ? `the Gateway has no listener named ${p.sectionName}${p.port !== undefined ? ` on port ${p.port}` : ''}` : `the Gateway has no listener on port ${p.port}`, gen, w.now);
      else {
        const allowed = candidates.filter((l) => l.usable && namespaceAllowed(l.listener, g.gw.metadata.namespace ?? 'default', rns, w) && l.status.supportedKinds.some((k) => k.kind === 'HTTPRoute'));
        const withHosts = allowed.map((l) => ({ l, hostnames: intersectHostnames(l.listener.hostname, route.spec?.hostnames) })).filter((x) => x.hostnames === null || x.hostnames.length > 0);
        if (!allowed.length) accepted = cond('Accepted', false, 'NotAllowedByListeners', 'no listener of the Gateway allows this route (namespace, kind, or the listener is not valid)', gen, w.now);
        else if (!withHosts.length) accepted = cond('Accepted', false, 'NoMatchingListenerHostname', "none of the route's hostnames match a listener's hostname", gen, w.now);
        else if (badFilter) accepted = cond('Accepted', false, 'UnsupportedValue', `filter type ${badFilter.type} is not supported`, gen, w.now);
        else {
          accepted = cond('Accepted', true, 'Accepted', 'Route is accepted', gen, w.now);
          for (const x of withHosts) {
            const list = attached.get(x.l) ?? [];
            // One parentRef per listener is enough; two refs to the same listener attach once.
            if (!list.some((e) => e.route === route)) list.push({ route, hostnames: x.hostnames });
            attached.set(x.l, list);
          }
        }
      }
      parents.push({
        parentRef,
        controllerName: w.controllerName,
        conditions: [accepted, cond('ResolvedRefs', refs.ok, refs.reason, refs.message, gen, w.now)],
      });
    }
    if (parents.length) plan.routeStatus.set(key(route), parents);
  }
  // Gateway statuses and the served listeners.
  for (const [k, { gw, listeners }] of gateways) {
    const gen = gw.metadata.generation;
    const ns = gw.metadata.namespace ?? 'default';
    for (const l of listeners) {
      const routes = attached.get(l) ?? [];
      l.status.attachedRoutes = routes.length;
      if (l.usable) plan.listeners.push({ gateway: { namespace: ns, name: gw.metadata.name ?? '' }, name: l.listener.name, protocol: l.listener.protocol as 'HTTP' | 'HTTPS', port: l.listener.port, ...(l.listener.hostname ? { hostname: l.listener.hostname.toLowerCase() } : {}), certificates: l.certificates, routes });
    }
    const requested = gw.spec?.addresses ?? [];
    const unusable = requested.find((a) => (a.type ?? 'IPAddress') !== 'IPAddress' || !w.addresses.includes(a.value));
    const valid = listeners.filter((l) => l.usable).length;
    const conditions: Condition[] = [];
    if (unusable) conditions.push(cond('Accepted', false, 'UnsupportedAddress', `address ${unusable.value} is not one the kubesvc data plane has (${w.addresses.join(', ') || 'none yet'})`, gen, w.now));
    else if (valid < listeners.length) conditions.push(cond('Accepted', valid > 0, 'ListenersNotValid', `${listeners.length - valid} of ${listeners.length} listeners are not valid`, gen, w.now));
    else conditions.push(cond('Accepted', true, 'Accepted', 'Gateway is accepted', gen, w.now));
    if (unusable) conditions.push(cond('Programmed', false, 'AddressNotUsable', 'a requested address cannot be used', gen, w.now));
    else if (!w.addresses.length) conditions.push(cond('Programmed', false, 'AddressNotAssigned', 'the data plane has no address yet', gen, w.now));
    else if (valid === 0) conditions.push(cond('Programmed', false, 'Invalid', 'no listener is valid', gen, w.now));
    else conditions.push(cond('Programmed', true, 'Programmed', 'Gateway is programmed', gen, w.now));
    plan.gatewayStatus.set(k, {
      addresses: w.addresses.map((value) => ({ type: 'IPAddress', value })),
      conditions,
      listeners: listeners.map((l) => l.status),
    });
  }
  return plan;
}

/**
 * Conditions as they should be stored: lastTransitionTime kept from the existing condition when
 * status, reason and message are unchanged, so rewriting the same status is a no-op.
 */
export function keepTransitionTimes(next: Condition[], prior: readonly Condition[] | undefined): Condition[] {
  return next.map((c) => {
    const p = prior?.find((x) => x.type === c.type);
    return p && p.status === c.status ? { ...c, lastTransitionTime: p.lastTransitionTime } : c;
  });
}
