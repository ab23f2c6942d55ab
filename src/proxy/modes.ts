// The one registry of proxy modes: `kubesvc up` (--proxy-mode), startProxy, `kubesvc proxy rules`
// and `kubesvc proxy trace` all find a mode here, by the name --proxy-mode spells.
import { iptablesMode } from './iptables/mode.js';
import { ipvsMode } from './ipvs/mode.js';
import type { KernelProxyMode, ProxyMode } from './mode.js';
import { nftablesMode } from './nftables/mode.js';
import type { ProxyModeName } from './options.js';
import { userspaceMode } from './userspace/mode.js';

export type { KernelProxyMode, ProxyMode, RenderOptions } from './mode.js';

export const proxyModes: readonly ProxyMode[] = [userspaceMode, iptablesMode, nftablesMode, ipvsMode];

export const proxyModeNames: readonly ProxyModeName[] = proxyModes.map((m) => m.name);

/** The modes that program a node's kernel (and have a rule set `proxy rules` can print). */
export const kernelModeNames: readonly ProxyModeName[] = proxyModes.filter((m) => m.kernel).map((m) => m.name);

export function isProxyModeName(s: string): s is ProxyModeName {
  return (proxyModeNames as readonly string[]).includes(s);
}

/** The kernel mode of that name, or undefined for userspace and unknown names. */
export function kernelProxyMode(name: string): KernelProxyMode | undefined {
  const m = proxyModes.find((x) => x.name === name);
  return m?.kernel ? (m as KernelProxyMode) : undefined;
}

export function proxyMode(name: ProxyModeName): ProxyMode {
  const m = proxyModes.find((x) => x.name === name);
  if (!m) throw new Error(`unknown proxy mode ${JSON.stringify(name)}`);
  return m;
}
