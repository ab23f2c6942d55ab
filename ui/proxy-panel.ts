// "What the proxy programs" for the selected Service: the rules a kernel mode programs on a node
// (the same text `kubesvc proxy rules --mode M --node N` prints, for this Service's ports) and the
// path a packet takes (`kubesvc proxy trace`). Both run here in the browser, on the objects the
// page already watches, with the proxy's own code (bundled from src/proxy): no extra request, and
// always what a proxy would sync for the cluster as the page sees it.
import { html, type TemplateResult } from 'lit-html';
import { rulesInput } from '../src/proxy/rules-input.js';
import { ruleRenderers, type KernelModeName } from '../src/proxy/rule-renderers.js';
import { defaultProxyLayout, proxyLayouts, type ProxyLayout } from '../src/proxy/options.js';
import { traceService } from '../src/proxy/trace.js';
import type { Node, Service } from '../src/api/core.js';
import type { EndpointSlice } from '../src/api/discovery.js';

export interface ProxyPanelState {
  service: Service;
  slices: EndpointSlice[];
  nodes: Node[];
}

const modes = Object.keys(ruleRenderers) as KernelModeName[];

/** The panel's choices, kept across redraws and selections. */
const choice = { mode: modes[0]!, layout: defaultProxyLayout as ProxyLayout, node: '', from: '', port: '' };

/** What was rendered last, so an unchanged Service is not rendered again on every redraw. */
let memo: { key: string; rules: string; trace: string } | undefined;

function compute(st: ProxyPanelState, node: string, port: string): { rules: string; trace: string } {
  const key = JSON.stringify([st.service.metadata.resourceVersion, st.slices.map((s) => s.metadata.resourceVersion), st.nodes.map((n) => n.metadata.resourceVersion), choice.mode, choice.layout, node, choice.from, port]);
  if (memo?.key === key) return memo;
  // Only this Service and its slices: the base chains plus its own, as a proxy programs them.
  const input = rulesInput({ services: [st.service], slices: st.slices, nodes: st.nodes }, node ? { node } : {});
  const namespace = st.service.metadata.namespace ?? 'default';
  const name = st.service.metadata.name!;
  let rules: string;
  let trace: string;
  try {
    rules = ruleRenderers[choice.mode].render(input, { layout: choice.layout });
  } catch (e) {
    rules = `cannot render: ${(e as Error).message}`;
  }
  try {
    trace = traceService(input, { namespace, name, mode: choice.mode, layout: choice.layout, ...(choice.from ? { from: choice.from } : {}), ...(port ? { port } : {}) });
  } catch (e) {
    trace = (e as Error).message;
  }
  memo = { key, rules, trace };
  return memo;
}

/** The panel as a lit-html template; `changed` redraws the page after a choice. */
export function proxyPanel(st: ProxyPanelState, changed: () => void): TemplateResult {
  const names = st.nodes.map((n) => n.metadata.name!).sort();
  const node = names.includes(choice.node) ? choice.node : (names[0] ?? '');
  // The packet's destination: one of the Service's ports (by name, or number when unnamed), or all.
  const ports = (st.service.spec?.ports ?? []).map((p) => p.name || String(p.port));
  const port = ports.includes(choice.port) ? choice.port : '';
  const { rules, trace } = compute(st, node, port);
  const set = (k: keyof typeof choice) => (e: Event) => {
    choice[k] = (e.target as HTMLInputElement | HTMLSelectElement).value.trim() as never;
    changed();
  };
  return html`<section id="proxyPanel">
    <h3>What the proxy programs</h3>
    <p>
      <label>Mode <select id="rulesMode" @input=${set('mode')}>${modes.map((m) => html`<option ?selected=${m === choice.mode}>${m}</option>`)}</select></label>
      <label ?hidden=${choice.mode === 'ipvs'}>Layout <select id="rulesLayout" @input=${set('layout')}>${proxyLayouts.map((l) => html`<option ?selected=${l === choice.layout}>${l}</option>`)}</select></label>
      <label>Node <select id="rulesNode" @input=${set('node')}>${names.map((n) => html`<option ?selected=${n === node}>${n}</option>`)}</select></label>
    </p>
    <p>
      <label>Trace from <input id="traceFrom" size="15" placeholder="source IP" spellcheck="false" .value=${choice.from} @input=${set('from')}></label>
      <label>to port <select id="tracePort" @input=${set('port')}><option value="" ?selected=${port === ''}>every port</option>${ports.map((p) => html`<option ?selected=${p === port}>${p}</option>`)}</select></label>
    </p>
    <h4>Packet trace</h4>
    <pre id="trace" tabindex="0">${trace}</pre>
    <h4>Rules</h4>
    <pre id="rules" tabindex="0" aria-label="rules">${rules}</pre>
  </section>`;
}
