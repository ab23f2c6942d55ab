// "What the proxy programs" for the selected Service: the rules a kernel mode programs on a node
// (the same text `kubesvc proxy rules --mode M --node N` prints, for this Service's ports) and the
// path a packet takes (`kubesvc proxy trace`). Both run here in the browser, on the objects the
// page already watches, with the proxy's own code (bundled from src/proxy): no extra request, and
// always what a proxy would sync for the cluster as the page sees it.
import { rulesInput } from '../src/proxy/rules-input.js';
import { ruleRenderers, type KernelModeName } from '../src/proxy/rule-renderers.js';
import { traceService } from '../src/proxy/trace.js';
import type { Node, Service } from '../src/api/core.js';
import type { EndpointSlice } from '../src/api/discovery.js';

export interface ProxyPanelState {
  service: Service;
  slices: EndpointSlice[];
  nodes: Node[];
}

const modes = Object.keys(ruleRenderers) as KernelModeName[];
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The panel's controls, kept across redraws so a choice or a half-typed address survives updates. */
export class ProxyPanel {
  readonly el: HTMLElement;
  private readonly mode: HTMLSelectElement;
  private readonly node: HTMLSelectElement;
  private readonly from: HTMLInputElement;
  private readonly rules: HTMLElement;
  private readonly trace: HTMLElement;
  private shown = '';

  constructor(private readonly state: () => ProxyPanelState | undefined) {
    this.el = document.createElement('section');
    this.el.id = 'proxyPanel';
    this.el.innerHTML =
      `<h3>What the proxy programs</h3>` +
      `<p><label>Mode <select id="rulesMode">${modes.map((m) => `<option>${m}</option>`).join('')}</select></label> ` +
      `<label>Node <select id="rulesNode"></select></label></p>` +
      `<p><label>Trace from <input id="traceFrom" size="15" placeholder="source IP" spellcheck="false"></label></p>` +
      `<h4>Packet trace</h4><pre id="trace" tabindex="0"></pre>` +
      `<h4>Rules</h4><pre id="rules" tabindex="0" aria-label="rules"></pre>`;
    this.mode = this.el.querySelector('#rulesMode')!;
    this.node = this.el.querySelector('#rulesNode')!;
    this.from = this.el.querySelector('#traceFrom')!;
    this.rules = this.el.querySelector('#rules')!;
    this.trace = this.el.querySelector('#trace')!;
    for (const c of [this.mode, this.node, this.from]) c.addEventListener('input', () => this.update());
  }

  /** Renders again when what it shows changed (called on every redraw of the map). */
  update(): void {
    const st = this.state();
    if (!st) return;
    const names = st.nodes.map((n) => n.metadata.name!).sort();
    if ([...this.node.options].map((o) => o.value).join() !== names.join()) {
      const current = this.node.value;
      this.node.innerHTML = names.map((n) => `<option>${esc(n)}</option>`).join('');
      if (names.includes(current)) this.node.value = current;
    }
    const mode = this.mode.value as KernelModeName;
    const from = this.from.value.trim();
    // Only this Service and its slices: the base chains plus its own, as a proxy programs them.
    const input = rulesInput({ services: [st.service], slices: st.slices, nodes: st.nodes }, this.node.value ? { node: this.node.value } : {});
    const ns = st.service.metadata.namespace ?? 'default';
    const name = st.service.metadata.name!;
    let rules: string;
    let trace: string;
    try {
      rules = ruleRenderers[mode].render(input);
    } catch (e) {
      rules = `cannot render: ${(e as Error).message}`;
    }
    try {
      trace = traceService(input, { namespace: ns, name, mode, ...(from ? { from } : {}) });
    } catch (e) {
      trace = (e as Error).message;
    }
    const text = `${rules}\u0000${trace}`;
    if (text === this.shown) return;
    this.shown = text;
    this.rules.textContent = rules;
    this.trace.textContent = trace;
  }
}
