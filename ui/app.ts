// The live view: Services → EndpointSlices → Pods → Nodes, read only through the Kubernetes API
// (list, then watch from the list's resourceVersion) with the user's bearer token, laid out by elkjs.
// The layout runs in elkjs's own Web Worker, so a big graph never blocks the page's frames.
import ELK from 'elkjs/lib/elk-api.js';
import { html, render as renderTemplate, nothing } from 'lit-html';
import { proxyPanel } from './proxy-panel.js';
import { Quantity } from '../src/api/quantity.js';
import { busy as isBusy, bytesText, rateText, TrafficModel, type Rates } from './traffic.js';

type Obj = { metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string>; deletionTimestamp?: string }; [k: string]: any };

const kinds = {
  Service: '/api/v1/services',
  EndpointSlice: '/apis/discovery.k8s.io/v1/endpointslices',
  Pod: '/api/v1/pods',
  Node: '/api/v1/nodes',
  Event: '/api/v1/events',
  Ingress: '/apis/networking.k8s.io/v1/ingresses',
  HTTPRoute: '/apis/gateway.networking.k8s.io/v1/httproutes',
  Gateway: '/apis/gateway.networking.k8s.io/v1/gateways',
} as const;
type Kind = keyof typeof kinds;

const store: Record<Kind, Map<string, Obj>> = { Service: new Map(), EndpointSlice: new Map(), Pod: new Map(), Node: new Map(), Event: new Map(), Ingress: new Map(), HTTPRoute: new Map(), Gateway: new Map() };
/** Kinds a cluster may not serve (the Gateway API without its CRDs): looked for again now and then. */
const optional = new Set<Kind>(['HTTPRoute', 'Gateway']);
/** When each object last changed, to highlight it for a moment. */
const changedAt = new Map<string, number>();
const highlightMs = 2000;
let token = '';
const traffic = new TrafficModel();
/** How often the page asks for traffic figures. */
const trafficEveryMs = 1000;
/** Each pod's CPU and memory as `kubectl top pod` has them (metrics.k8s.io), by namespace/name. */
const usage = new Map<string, string>();
/** metrics-server's resolution: the API server renews its readings no more often. */
const usageEveryMs = 15_000;
let selected = '';
const aborts: AbortController[] = [];

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const key = (o: Obj) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

async function api(path: string, signal?: AbortSignal): Promise<Response> {
  return fetch(path, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, signal: signal ?? null });
}

async function listAndWatch(kind: Kind, ctl: AbortController): Promise<void> {
  for (;;) {
    const res = await api(kinds[kind], ctl.signal);
    if (res.status === 404 && optional.has(kind)) {
      // Not served here (yet): nothing to draw; the CRDs may be installed later.
      store[kind].clear();
      await new Promise((r) => setTimeout(r, 10_000));
      continue;
    }
    if (res.status === 401 || res.status === 403) throw new AuthError(`${res.status}: ${(await res.json().catch(() => ({}))).message ?? res.statusText}`);
    if (!res.ok) throw new Error(`listing ${kind}: ${res.status}`);
    const list = await res.json();
    const m = store[kind];
    m.clear();
    for (const o of list.items ?? []) m.set(key(o), o);
    scheduleRender();
    let rv: string = list.metadata.resourceVersion;
    // Watch until the server ends the stream; 410 Gone (or an ERROR event) means relist.
    for (;;) {
      const end = await watchOver(kind, rv, ctl.signal, (ev) => {
        if (ev.type === 'ERROR') return 'relist';
        rv = ev.object.metadata.resourceVersion ?? rv;
        if (ev.type === 'BOOKMARK') return;
        const k = key(ev.object);
        if (ev.type === 'DELETED') m.delete(k);
        else m.set(k, ev.object);
        changedAt.set(`${kind}:${k}`, performance.now());
        scheduleRender();
      });
      if (ctl.signal.aborted) return;
      if (end === 'refused') await new Promise((r) => setTimeout(r, 1000));
      if (end !== 'ended') break;
      // The server ended a healthy watch (its timeout): watch again from where it was.
    }
  }
}

type WatchEvent = { type: string; object: Obj };

/**
 * One watch, over a WebSocket: a browser has six HTTP/1.1 connections per server, fewer than the
 * kinds this page follows, and WebSockets do not count against them. The token goes as the
 * Kubernetes bearer subprotocol (browsers cannot set headers on a WebSocket), next to a second
 * subprotocol the server echoes back. Resolves 'relist' when the watch cannot go on from `rv`,
 * 'ended' when the server ended it (its timeout), 'refused' when it never opened.
 */
function watchOver(kind: Kind, rv: string, signal: AbortSignal, onEvent: (ev: WatchEvent) => 'relist' | void): Promise<'relist' | 'ended' | 'refused'> {
  return new Promise((resolve) => {
    const url = `wss://${location.host}${kinds[kind]}?watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(rv)}`;
    const b64url = btoa(String.fromCharCode(...new TextEncoder().encode(token))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const ws = new WebSocket(url, [`base64url.bearer.authorization.k8s.io.${b64url}`, 'watch.kubesvc.io']);
    let opened = false;
    let result: 'relist' | 'ended' = 'ended';
    const abort = () => ws.close();
    signal.addEventListener('abort', abort, { once: true });
    ws.onopen = () => { opened = true; };
    ws.onmessage = (m) => {
      if (onEvent(JSON.parse(String(m.data)) as WatchEvent) === 'relist') {
        result = 'relist';
        ws.close();
      }
    };
    ws.onclose = () => {
      signal.removeEventListener('abort', abort);
      // A handshake refused (an expired token, a server going away): relist after a pause; the list says why.
      resolve(opened ? result : 'refused');
    };
  });
}

class AuthError extends Error {}

// ---- the model: what to draw ----

interface GNode { id: string; kind: Kind; lines: string[]; state?: string; ns?: string; name: string }
interface GEdge { id: string; from: string; to: string; rate?: Rates | undefined }

function podState(p: Obj): string {
  if (p.metadata.deletionTimestamp) return 'terminating';
  const ready = (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
  return ready ? 'ready' : 'notready';
}

function servicePorts(s: Obj): string {
  return (s.spec.ports ?? []).map((p: any) => `${p.port}${p.nodePort ? ':' + p.nodePort : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

/** Each drawn Service's part of the model, with the signature it was built from. */
const parts = new Map<string, { sig: string; nodes: GNode[]; edges: GEdge[] }>();
let seenParts = new Set<string>();

/** What a Service's part depends on: its objects' resourceVersions and its traffic figures. */
function serviceSignature(s: Obj, k: string, slices: Obj[]): string {
  let sig = `${s.metadata.resourceVersion}|${rateText(traffic.services.get(k))}`;
  for (const es of slices) {
    sig += `|${es.metadata.resourceVersion}`;
    for (const e of es.endpoints ?? []) {
      const ref = e.targetRef;
      if (ref?.kind !== 'Pod') continue;
      const p = store.Pod.get(`${ref.namespace ?? es.metadata.namespace}/${ref.name}`);
      const nodeName = p?.spec?.nodeName ?? e.nodeName;
      sig += `,${p?.metadata.resourceVersion ?? '-'}:${nodeName ? (store.Node.get(nodeName)?.metadata.resourceVersion ?? '-') : ''}:${rateText(traffic.addresses.get(e.addresses?.[0]))}:${usage.get(`${ref.namespace ?? es.metadata.namespace}/${ref.name}`) ?? ''}`;
    }
  }
  return sig;
}

/** One Service's boxes and edges: the Service, its EndpointSlices, their pods and the pods' nodes. */
function serviceGraph(s: Obj, k: string, slices: Obj[]): { nodes: GNode[]; edges: GEdge[] } {
  const nodes: GNode[] = [];
  const edges: GEdge[] = [];
  const have = new Set<string>();
  const add = (n: GNode) => { if (!have.has(n.id)) { have.add(n.id); nodes.push(n); } };
  const lb = (s.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip ?? i.hostname).join(',');
  add({
    id: `Service:${k}`, kind: 'Service', ns: s.metadata.namespace, name: s.metadata.name,
    lines: [
      `svc ${k}`,
      `${s.spec.type ?? 'ClusterIP'} ${s.spec.type === 'ExternalName' ? s.spec.externalName : s.spec.clusterIP ?? ''}`,
      `ports ${servicePorts(s) || '-'}`,
      ...(s.spec.type === 'LoadBalancer' ? [`LB ${lb || '<pending>'}`] : []),
      `traffic ${rateText(traffic.services.get(k))}`,
    ],
  });
  for (const es of slices) {
    const ek = `EndpointSlice:${key(es)}`;
    const eps = es.endpoints ?? [];
    const ready = eps.filter((e: any) => e.conditions?.ready !== false).length;
    add({ id: ek, kind: 'EndpointSlice', ns: es.metadata.namespace, name: es.metadata.name, lines: [`slice ${es.metadata.name}`, `${ready}/${eps.length} ready, ${es.addressType}`] });
    edges.push({ id: `${k}>${ek}`, from: `Service:${k}`, to: ek, rate: traffic.services.get(k) });
    for (const e of eps) {
      const ref = e.targetRef;
      if (ref?.kind !== 'Pod') continue;
      const pk = `${ref.namespace ?? es.metadata.namespace}/${ref.name}`;
      const p = store.Pod.get(pk);
      const state = p ? podState(p) : e.conditions?.terminating ? 'terminating' : e.conditions?.ready === false ? 'notready' : 'ready';
      add({
        id: `Pod:${pk}`, kind: 'Pod', ns: ref.namespace, name: ref.name, state,
        lines: [`pod ${ref.name}`, `${(e.addresses ?? []).join(',')} ${state}`, `node ${p?.spec?.nodeName ?? e.nodeName ?? '?'}`, `traffic ${rateText(traffic.addresses.get(e.addresses?.[0]))}`, usage.get(pk) ?? 'cpu - mem -'],
      });
      edges.push({ id: `${ek}>${pk}`, from: ek, to: `Pod:${pk}`, rate: traffic.addresses.get(e.addresses?.[0]) });
      const nodeName = p?.spec?.nodeName ?? e.nodeName;
      if (!nodeName) continue;
      if (!have.has(`Node:${nodeName}`)) {
        const n = store.Node.get(nodeName);
        const nready = (n?.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
        const ip = (n?.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? '';
        add({ id: `Node:${nodeName}`, kind: 'Node', name: nodeName, lines: [`node ${nodeName}`, `${ip} ${nready ? 'Ready' : 'NotReady'}`] });
      }
      edges.push({ id: `${pk}>${nodeName}`, from: `Pod:${pk}`, to: `Node:${nodeName}` });
    }
  }
  return { nodes, edges };
}

function model(): { nodes: GNode[]; edges: GEdge[] } {
  seenParts = new Set<string>();
  const ns = ($('ns') as HTMLSelectElement).value;
  const q = ($('search') as HTMLInputElement).value.trim().toLowerCase();
  const hideSystem = ($('hideSystem') as HTMLInputElement).checked;
  const inScope = (o: Obj) => (!ns || o.metadata.namespace === ns) && !(hideSystem && o.metadata.namespace === 'kube-system');
  const nodes: GNode[] = [];
  const edges: GEdge[] = [];
  const have = new Set<string>();
  const add = (n: GNode) => { if (!have.has(n.id)) { have.add(n.id); nodes.push(n); } };
  const slicesBySvc = new Map<string, Obj[]>();
  for (const es of store.EndpointSlice.values()) {
    const svc = es.metadata.labels?.['kubernetes.io/service-name'];
    if (!svc) continue;
    const k = `${es.metadata.namespace}/${svc}`;
    const list = slicesBySvc.get(k);
    if (list) list.push(es);
    else slicesBySvc.set(k, [es]);
  }
  for (const s of store.Service.values()) {
    if (!inScope(s)) continue;
    const k = key(s);
    const slices = slicesBySvc.get(k) ?? [];
    if (q) {
      const pods = slices.flatMap((es) => (es.endpoints ?? []).map((e: any) => e.targetRef?.name).filter(Boolean));
      const text = [k, s.spec.clusterIP, s.spec.externalName, ...pods, ...(s.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip)].join(' ').toLowerCase();
      if (!text.includes(q)) continue;
    }
    // A Service whose objects and figures are as they were last time keeps its part of the model:
    // a redraw then allocates almost nothing for the ~500 Services that did not change (allocation
    // is what made the garbage collector stall frames).
    const sig = serviceSignature(s, k, slices);
    let part = parts.get(k);
    if (part?.sig !== sig) {
      part = { sig, ...serviceGraph(s, k, slices) };
      parts.set(k, part);
    }
    seenParts.add(k);
    for (const n of part.nodes) add(n);
    for (const e of part.edges) edges.push(e);
  }
  for (const k of parts.keys()) if (!seenParts.has(k)) parts.delete(k);
  // In front of the Services drawn: Ingresses and HTTPRoutes, an edge to each Service they send to.
  const front = (kind: 'Ingress' | 'HTTPRoute', o: Obj, lines: string[], targets: string[]) => {
    const shown = targets.filter((t) => have.has(`Service:${t}`));
    if (!shown.length || !inScope(o)) return;
    const id = `${kind}:${key(o)}`;
    // The controller counts an HTTPRoute's requests under its name, in ingress-nginx's `ingress` label.
    const rate = traffic.ingresses.get(key(o));
    add({ id, kind, ns: o.metadata.namespace, name: o.metadata.name, lines: [...lines, `traffic ${rateText(rate)}`] });
    for (const t of shown) edges.push({ id: `${id}>${t}`, from: id, to: `Service:${t}`, rate });
  };
  for (const ing of store.Ingress.values()) {
    const ns = ing.metadata.namespace!;
    const backends = [ing.spec?.defaultBackend, ...(ing.spec?.rules ?? []).flatMap((r: any) => (r.http?.paths ?? []).map((p: any) => p.backend))];
    const targets = backends.map((b: any) => b?.service?.name).filter(Boolean).map((n: string) => `${ns}/${n}`);
    const hosts = (ing.spec?.rules ?? []).map((r: any) => r.host ?? '*').join(',') || '*';
    const addr = (ing.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip ?? i.hostname).join(',');
    front('Ingress', ing, [`ing ${key(ing)}`, `hosts ${hosts}`, `address ${addr || '<pending>'}`], targets);
  }
  for (const r of store.HTTPRoute.values()) {
    const ns = r.metadata.namespace!;
    const targets = (r.spec?.rules ?? []).flatMap((rule: any) => (rule.backendRefs ?? []).filter((b: any) => (b.kind ?? 'Service') === 'Service' && !b.group).map((b: any) => `${b.namespace ?? ns}/${b.name}`));
    const accepted = (r.status?.parents ?? []).some((p: any) => (p.conditions ?? []).some((c: any) => c.type === 'Accepted' && c.status === 'True'));
    const parents = (r.spec?.parentRefs ?? []).map((p: any) => p.name).join(',');
    front('HTTPRoute', r, [`route ${key(r)}`, `hosts ${(r.spec?.hostnames ?? []).join(',') || '*'}`, `gateway ${parents} ${accepted ? 'Accepted' : 'not accepted'}`], targets);
    // The Gateways the route attaches to, in front of it.
    const routeId = `HTTPRoute:${key(r)}`;
    if (!have.has(routeId)) continue;
    for (const ref of r.spec?.parentRefs ?? []) {
      if ((ref.kind ?? 'Gateway') !== 'Gateway' || (ref.group ?? 'gateway.networking.k8s.io') !== 'gateway.networking.k8s.io') continue;
      const gk = `${ref.namespace ?? ns}/${ref.name}`;
      const g = store.Gateway.get(gk);
      if (!g || !inScope(g)) continue;
      const programmed = (g.status?.conditions ?? []).some((c: any) => c.type === 'Programmed' && c.status === 'True');
      const listeners = (g.spec?.listeners ?? []).map((l: any) => `${l.protocol}:${l.port}`).join(',');
      const addr = (g.status?.addresses ?? []).map((a: any) => a.value).join(',');
      add({ id: `Gateway:${gk}`, kind: 'Gateway', ns: g.metadata.namespace, name: g.metadata.name, lines: [`gw ${gk}`, `class ${g.spec?.gatewayClassName ?? '?'} ${listeners}`, `address ${addr || '<pending>'} ${programmed ? 'Programmed' : 'not programmed'}`] });
      edges.push({ id: `Gateway:${gk}>${routeId}`, from: `Gateway:${gk}`, to: routeId });
    }
  }
  return { nodes, edges: [...new Map(edges.map((e) => [e.id, e])).values()] };
}

// ---- layout and drawing ----

const elk = new ELK({ workerUrl: '/ui/elk-worker.js' });
const laidOut: { shape: string; graph?: Awaited<ReturnType<typeof elk.layout>> } = { shape: '' };
let rendering = false;
let dirty = false;

/** At most one redraw per this many ms: a churning cluster's events coalesce, well within 1 s. */
const minRedrawMs = 200;
let lastRender = 0;

function scheduleRender(): void {
  if (rendering) { dirty = true; return; }
  rendering = true;
  const wait = Math.max(0, lastRender + minRedrawMs - performance.now());
  // The model is built in a task of its own and the boxes are drawn in the next animation frame,
  // so a frame carries only the DOM writes, never the model building as well.
  setTimeout(() => void render().finally(() => {
    lastRender = performance.now();
    rendering = false;
    if (dirty) { dirty = false; scheduleRender(); }
  }), wait);
}

const width = 230;
const lineHeight = 16;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const svgNS = 'http://www.w3.org/2000/svg';

/**
 * What is on screen, per object id, so a redraw touches only what changed. Boxes are HTML elements
 * under CSS containment (index.html: `.n`), not SVG groups: with ~3,000 SVG groups of text every
 * redraw made the browser restyle and lay out the whole SVG (100-400 ms frames at 500 Services);
 * a contained box that changes is restyled and repainted alone, and one that only moves is moved.
 */
const drawn = new Map<string, { el: HTMLElement; content: string; at: string }>();
/** Edge paths by edge id (only `d`, class and width are ever touched). */
const drawnEdges = new Map<string, { el: SVGPathElement; d: string; look: string }>();
const drawTimes: number[] = ((window as any).__kubesvcDrawMs = []);

function ensureCanvas(): { canvas: HTMLElement; edgesSvg: SVGSVGElement } {
  let canvas = document.getElementById('canvas');
  if (!canvas) {
    canvas = document.createElement('div');
    canvas.id = 'canvas';
    canvas.setAttribute('role', 'group');
    const svg = document.createElementNS(svgNS, 'svg');
    svg.setAttribute('aria-hidden', 'true');
    canvas.appendChild(svg);
    $('map').appendChild(canvas);
  }
  return { canvas, edgesSvg: canvas.querySelector('svg')! };
}

/** An edge's SVG path from elkjs's sections, computed once per layout. */
const edgePaths = new WeakMap<object, string>();
function edgePath(e: object): string {
  const cached = edgePaths.get(e);
  if (cached !== undefined) return cached;
  const d: string = ((e as any).sections ?? []).map((sec: any) => 'M' + [sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint].map((p: any) => `${p.x},${p.y}`).join(' L')).join(' ');
  edgePaths.set(e, d);
  return d;
}

/** Up to this many DOM writes go in one frame; more are spread over frames, ~8 ms of work each. */
const writesPerFrame = 300;
const frameBudgetMs = 8;

/** Applies the writes; resolves with the main thread's time spent on them (the frames between excluded). */
async function applyWrites(writes: (() => void)[]): Promise<number> {
  const t0 = performance.now();
  if (writes.length <= writesPerFrame) {
    for (const w of writes) w();
    return performance.now() - t0;
  }
  let i = 0;
  let busy = 0;
  while (i < writes.length) {
    const start = performance.now();
    const until = start + frameBudgetMs;
    while (i < writes.length && performance.now() < until) writes[i++]!();
    busy += performance.now() - start;
    if (i < writes.length) await new Promise((r) => requestAnimationFrame(r));
  }
  return busy;
}

async function render(): Promise<void> {
  const modelStart = performance.now();
  updateNamespaces();
  const { nodes, edges } = model();
  const modelMs = performance.now() - modelStart;
  // A change that keeps the graph's shape (an endpoint turning ready, a new LB IP) keeps the layout:
  // only a new or removed object or edge asks elkjs again.
  const shape = nodes.map((n) => `${n.id}:${n.lines.length}`).join('|') + '#' + edges.map((e) => e.id).join('|');
  if (shape !== laidOut.shape) {
    // Counted for bench/ui-view.ts: a relayout of ~3,000 boxes takes the worker a second or two.
    (window as any).__kubesvcLayouts = ((window as any).__kubesvcLayouts ?? 0) + 1;
    laidOut.graph = await elk.layout({
      id: 'root',
      layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.spacing.nodeNode': '12', 'elk.layered.spacing.nodeNodeBetweenLayers': '60' },
      children: nodes.map((n) => ({ id: n.id, width, height: n.lines.length * lineHeight + 10 })),
      edges: edges.map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })),
    });
    laidOut.shape = shape;
  }
  const graph = laidOut.graph!;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  await new Promise((r) => requestAnimationFrame(r));
  const drawStart = performance.now();
  const now = performance.now();
  const { canvas, edgesSvg } = ensureCanvas();
  const w = `${(graph.width ?? 0) + 20}px`;
  const h = `${(graph.height ?? 0) + 20}px`;
  if (canvas.style.width !== w || canvas.style.height !== h) {
    canvas.style.width = w;
    canvas.style.height = h;
    edgesSvg.setAttribute('width', String((graph.width ?? 0) + 20));
    edgesSvg.setAttribute('height', String((graph.height ?? 0) + 20));
  }
  canvas.setAttribute('aria-label', `Service map, ${nodes.length} objects`);

  // DOM writes are collected first and applied after: a relayout moves every box and edge, and
  // applied at once that is one frame of 150-250 ms at 500 Services; in slices of a few
  // milliseconds per animation frame the page stays responsive while the map settles.
  const writes: (() => void)[] = [];
  // Edges carrying traffic move and grow with the rate (log scale: 1 conn/s and 1,000 differ, not 1,000×).
  const edgeById = new Map(edges.map((e) => [e.id, e]));
  const seenEdges = new Set<string>();
  for (const e of graph.edges ?? []) {
    const r = edgeById.get(e.id)?.rate;
    const busy = isBusy(r);
    const look = busy ? (1.5 + Math.min(6, Math.log10(1 + (r.connPerSec + r.reqPerSec) * 10 + r.bytesPerSec / 1000))).toFixed(1) : '';
    const d = edgePath(e);
    seenEdges.add(e.id);
    let old = drawnEdges.get(e.id);
    if (!old) {
      const el = document.createElementNS(svgNS, 'path');
      el.setAttribute('class', 'e');
      writes.push(() => edgesSvg.appendChild(el));
      old = { el, d: '', look: '' };
      drawnEdges.set(e.id, old);
    }
    const o = old;
    if (o.d !== d) { o.d = d; writes.push(() => o.el.setAttribute('d', d)); }
    if (o.look !== look) {
      o.look = look;
      writes.push(() => {
        o.el.setAttribute('class', busy ? 'e flow' : 'e');
        if (busy) o.el.style.strokeWidth = `${look}px`;
        else o.el.style.removeProperty('stroke-width');
      });
    }
  }
  for (const [id, d] of drawnEdges) if (!seenEdges.has(id)) { drawnEdges.delete(id); writes.push(() => d.el.remove()); }

  // Only boxes whose drawing changed are touched: a churning cluster redraws a few, not thousands.
  const seen = new Set<string>();
  for (const c of graph.children ?? []) {
    const n = byId.get(c.id)!;
    seen.add(c.id);
    const recent = now - (changedAt.get(c.id) ?? -1e9) < highlightMs;
    const cls = ['n', n.kind, n.state ?? '', recent ? 'changed' : '', c.id === selected ? 'selected' : ''].filter(Boolean).join(' ');
    const content = `${cls}\u0000${n.lines.join('\n')}`;
    const at = `translate(${c.x}px,${c.y}px)`;
    let old = drawn.get(c.id);
    if (!old) {
      const el = document.createElement('div');
      el.dataset['id'] = c.id;
      el.dataset['kind'] = n.kind;
      el.dataset['name'] = n.name;
      if (n.kind === 'Service') { el.tabIndex = 0; el.setAttribute('role', 'button'); }
      el.style.width = `${c.width}px`;
      old = { el, content: '', at: '' };
      drawn.set(c.id, old);
      writes.push(() => canvas.appendChild(el));
    }
    const o = old;
    if (o.at !== at) { o.at = at; writes.push(() => { o.el.style.transform = at; }); }
    if (o.content !== content) {
      o.content = content;
      const height = `${c.height}px`;
      writes.push(() => {
        o.el.className = cls;
        o.el.dataset['state'] = n.state ?? '';
        o.el.style.height = height;
        o.el.setAttribute('aria-label', n.lines.join(', '));
        o.el.innerHTML = n.lines.map((l) => `<div>${esc(l)}</div>`).join('');
      });
    }
  }
  for (const [id, d] of drawn) if (!seen.has(id)) { drawn.delete(id); writes.push(() => d.el.remove()); }
  const prepMs = performance.now() - drawStart;
  const writeMs = await applyWrites(writes);
  // The main thread's share of a redraw (the layout runs in the worker), for bench/ui-view.ts.
  drawTimes.push(modelMs + prepMs + writeMs);
  if (drawTimes.length > 1000) drawTimes.splice(0, 500);
  $('status').textContent = `${store.Service.size} Services, ${store.Pod.size} Pods, ${store.Node.size} nodes — live${traffic.problem ? `; ${traffic.problem}` : ''}`;
  renderDetails();
  // Highlights fade: draw again once the newest one is due to end; older marks are dropped.
  for (const [k, t] of changedAt) if (now - t >= highlightMs) changedAt.delete(k);
  const pending = [...changedAt.values()];
  if (pending.length) setTimeout(scheduleRender, highlightMs - (now - Math.max(...pending)) + 20);
}

function updateNamespaces(): void {
  const sel = $('ns') as HTMLSelectElement;
  const names = [...new Set([...store.Service.values()].map((s) => s.metadata.namespace!))].sort();
  const have = [...sel.options].slice(1).map((o) => o.value);
  if (names.join() === have.join()) return;
  const current = sel.value;
  sel.innerHTML = '<option value="">all namespaces</option>' + names.map((n) => `<option>${esc(n)}</option>`).join('');
  sel.value = names.includes(current) ? current : '';
}

/** Why a Service is not serving yet, in the words a user would look for. */
function explain(s: Obj): string[] {
  const k = key(s);
  const out: string[] = [];
  if (s.spec.type === 'ExternalName') return [`ExternalName: DNS answers a CNAME to ${s.spec.externalName}; no endpoints, no proxy rules.`];
  if (!s.spec.selector) out.push('No selector: endpoints come from EndpointSlices you manage yourself.');
  const slices = slicesOf(s);
  const eps = slices.flatMap((es) => es.endpoints ?? []);
  if (s.spec.selector) {
    const sel = Object.entries(s.spec.selector as Record<string, string>);
    const pods = [...store.Pod.values()].filter((p) => p.metadata.namespace === s.metadata.namespace && sel.every(([a, b]) => p.metadata.labels?.[a] === b));
    if (!pods.length) out.push(`No endpoints: no pod matches the selector ${sel.map(([a, b]) => `${a}=${b}`).join(',')}.`);
    for (const p of pods) {
      const st = podState(p);
      if (st === 'ready') continue;
      const why = [
        ...(p.status?.conditions ?? []).filter((c: any) => c.status !== 'True').map((c: any) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`),
        ...(p.status?.containerStatuses ?? []).map((c: any) => c.state?.waiting ? `${c.name} waiting: ${c.state.waiting.reason ?? ''}` : '').filter(Boolean),
      ];
      out.push(`Pod ${p.metadata.name} is ${st === 'terminating' ? 'terminating' : 'not ready'}${p.status?.phase ? ` (${p.status.phase})` : ''}${why.length ? ': ' + why.join('; ') : ''}.`);
    }
  }
  const ready = eps.filter((e: any) => e.conditions?.ready !== false).length;
  out.push(`${ready} ready of ${eps.length} endpoints in ${slices.length} EndpointSlice(s).`);
  if (s.spec.type === 'LoadBalancer' && !(s.status?.loadBalancer?.ingress ?? []).length) out.push('LoadBalancer pending: no IP assigned yet (pool exhausted, or a loadBalancerClass no controller serves).');
  const evs = [...store.Event.values()]
    .filter((e) => e.involvedObject?.namespace === s.metadata.namespace && (e.involvedObject?.name === s.metadata.name || (e.involvedObject?.kind === 'Pod' && eps.some((p: any) => p.targetRef?.name === e.involvedObject.name))))
    .sort((a, b) => String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(String(b.lastTimestamp ?? b.eventTime ?? '')))
    .slice(-15)
    .map((e) => `${e.lastTimestamp ?? e.eventTime ?? ''} ${e.type} ${e.reason} ${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message}`);
  return [...out, ...evs].map((l) => l.replace(k, k));
}

/** Per endpoint, what each node's proxy carried to it for this Service. */
function trafficTable(svc: string) {
  const rows = [...(traffic.rows.get(svc) ?? [])].sort((a, b) => a.endpoint.localeCompare(b.endpoint) || a.node.localeCompare(b.node) || a.port.localeCompare(b.port));
  if (!rows.length) return html`<h3>Traffic</h3><p id="trafficNone">No connections through the proxies yet.</p>`;
  return html`<h3>Traffic</h3>
    <table id="traffic">
      <thead><tr><th scope="col">endpoint</th><th scope="col">node</th><th scope="col">port</th><th scope="col">conn/s</th><th scope="col">bytes/s</th><th scope="col">open</th><th scope="col">total</th><th scope="col">failed</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr data-endpoint=${r.endpoint} data-total=${r.total}><td>${r.endpoint}</td><td>${r.node}</td><td>${r.port || '-'}/${r.protocol}</td><td>${r.connPerSec.toFixed(1)}</td><td>${bytesText(r.bytesPerSec)}</td><td>${r.open}</td><td>${r.total}</td><td>${r.errors}</td></tr>`)}</tbody>
    </table>`;
}

function slicesOf(s: Obj): Obj[] {
  return [...store.EndpointSlice.values()].filter((es) => es.metadata.namespace === s.metadata.namespace && es.metadata.labels?.['kubernetes.io/service-name'] === s.metadata.name);
}

/**
 * The selected Service's details, as lit-html templates: lit updates only what changed, so the
 * panel's selects and the half-typed trace address survive every redraw.
 */
let detailsCleared = false;

function renderDetails(): void {
  if (!selected) return;
  // The page's static hint goes once lit takes the panel over.
  if (!detailsCleared) { $('details').textContent = ''; detailsCleared = true; }
  const s = store.Service.get(selected.slice('Service:'.length));
  const view = !s
    ? html`<p>${selected} was deleted.</p>`
    : html`<div id="detailsInfo">
          <h2>${key(s)}</h2>
          <dl>
            <dt>type</dt><dd>${s.spec.type ?? 'ClusterIP'}</dd>
            <dt>ClusterIP</dt><dd>${s.spec.clusterIP ?? '-'}</dd>
            <dt>ports</dt><dd>${servicePorts(s)}</dd>
            <dt>traffic</dt><dd>${rateText(traffic.services.get(key(s)))}</dd>
          </dl>
          ${trafficTable(key(s))}
        </div>
        ${s.spec.type === 'ExternalName' ? nothing : proxyPanel({ service: s as any, slices: slicesOf(s) as any[], nodes: [...store.Node.values()] as any[] }, scheduleRender)}
        <div id="detailsTimeline"><h3>Timeline</h3><ol id="timeline">${explain(s).map((l) => html`<li>${l}</li>`)}</ol></div>`;
  renderTemplate(view, $('details'));
}

function select(target: EventTarget | null): void {
  const g = (target as Element | null)?.closest?.('.n.Service') as HTMLElement | null;
  if (!g) return;
  selected = g.dataset['id'] ?? '';
  scheduleRender();
}

// ---- login ----

/** Asks for traffic figures once a second until logged out; a token not allowed them just goes without. */
async function pollTraffic(ctl: AbortController): Promise<void> {
  while (!ctl.signal.aborted) {
    try {
      const res = await api('/ui/api/traffic', ctl.signal);
      if (res.status === 401 || res.status === 403) {
        traffic.problem = `no traffic figures: this token may not get /ui/api/traffic (${res.status})`;
        scheduleRender();
        return;
      }
      if (res.ok) {
        traffic.update(await res.json());
        scheduleRender();
      }
    } catch {
      if (ctl.signal.aborted) return;
    }
    await new Promise((r) => setTimeout(r, trafficEveryMs));
  }
}

/** A quantity's value ("123456n" of CPU, "15360Ki" of memory), NaN when it is none. */
function quantityValue(q: string): number {
  try {
    const v = Quantity.parse(q);
    return Number(v.num) / Number(v.den);
  } catch {
    return NaN;
  }
}

/** Reads every pod's usage now and then; a cluster (or token) without metrics.k8s.io stops it quietly. */
async function pollUsage(ctl: AbortController): Promise<void> {
  while (!ctl.signal.aborted) {
    try {
      const res = await api('/apis/metrics.k8s.io/v1beta1/pods', ctl.signal);
      if (res.status === 401 || res.status === 403 || res.status === 404) return;
      if (res.ok) {
        const list = (await res.json()) as { items?: { metadata: { name: string; namespace: string }; containers?: { usage?: { cpu?: string; memory?: string } }[] }[] };
        usage.clear();
        for (const m of list.items ?? []) {
          const cs = m.containers ?? [];
          const cpu = cs.reduce((n, c) => n + quantityValue(c.usage?.cpu ?? '') * 1000, 0);
          const mem = cs.reduce((n, c) => n + quantityValue(c.usage?.memory ?? '') / 1024 ** 2, 0);
          if (Number.isFinite(cpu) && Number.isFinite(mem)) usage.set(`${m.metadata.namespace}/${m.metadata.name}`, `cpu ${Math.round(cpu)}m mem ${Math.round(mem)}Mi`);
        }
        scheduleRender();
      }
    } catch {
      if (ctl.signal.aborted) return;
    }
    await new Promise((r) => setTimeout(r, usageEveryMs));
  }
}

async function start(): Promise<void> {
  $('login').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  $('status').textContent = 'loading…';
  const trafficCtl = new AbortController();
  aborts.push(trafficCtl);
  void pollTraffic(trafficCtl);
  void pollUsage(trafficCtl);
  for (const kind of Object.keys(kinds) as Kind[]) follow(kind);
}

/** Lists and watches one kind for as long as the user is logged in; a failure retries that kind alone. */
function follow(kind: Kind): void {
  const ctl = new AbortController();
  aborts.push(ctl);
  listAndWatch(kind, ctl).catch((e) => {
    if (ctl.signal.aborted) return;
    if (e instanceof AuthError) return logout(`Not allowed: ${e.message}`);
    $('status').textContent = `${kind}: ${e.message}; retrying`;
    setTimeout(() => {
      const i = aborts.indexOf(ctl);
      if (i < 0) return; // logged out meanwhile
      aborts.splice(i, 1);
      follow(kind);
    }, 2000);
  });
}

function logout(message = ''): void {
  for (const a of aborts.splice(0)) a.abort();
  token = '';
  sessionStorage.removeItem('kubesvc-token');
  $('app').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('loginError').textContent = message;
}

async function login(t: string): Promise<void> {
  token = t.trim();
  // A cheap check that the token is good before switching views.
  const res = await api('/api/v1/services?limit=1');
  if (!res.ok) return logout(res.status === 401 ? 'That token is not valid (401 Unauthorized).' : `The API answered ${res.status}.`);
  sessionStorage.setItem('kubesvc-token', token);
  await start();
}

$('loginForm').addEventListener('submit', (e) => { e.preventDefault(); void login(($('token') as HTMLTextAreaElement).value); });
$('logout').addEventListener('click', () => logout());
for (const id of ['ns', 'search', 'hideSystem']) $(id).addEventListener('input', scheduleRender);
$('map').addEventListener('click', (e) => select(e.target));
$('map').addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(e.target); } });

// `kubesvc ui` puts a short-lived token in the fragment (never sent to a server); take it out of the
// address bar. A link opened in a tab already showing the page only changes the fragment.
function tokenFromLink(): string | null {
  const t = new URLSearchParams(location.hash.slice(1)).get('token');
  if (t) history.replaceState(null, '', location.pathname);
  return t;
}
window.addEventListener('hashchange', () => {
  const t = tokenFromLink();
  if (t) { for (const a of aborts.splice(0)) a.abort(); void login(t); }
});
const saved = tokenFromLink() ?? sessionStorage.getItem('kubesvc-token');
if (saved) void login(saved);
else logout();
