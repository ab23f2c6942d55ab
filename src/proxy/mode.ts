// What a proxy mode is to the rest of kubesvc: how `startProxy` makes its Provider, and (kernel
// modes) how `kubesvc proxy rules` renders its whole rule set. Every mode is registered once, in
// modes.ts, and `up`, `proxy rules` and `proxy trace` all look modes up there.
import type { ProxyModeName, ProxyOptions } from './options.js';
import type { Provider } from './provider.js';
import type { RulesInput } from './rules.js';

import type { RenderOptions } from './rule-renderers.js';

export type { RenderOptions } from './rule-renderers.js';

export interface ProxyMode {
  readonly name: ProxyModeName;
  /**
   * Programs the kernel of the node's network namespace (iptables, nftables, IPVS), rather than
   * proxying in this process (userspace): such a mode needs `--network netns` in `kubesvc up`.
   */
  readonly kernel: boolean;
  /** The Provider startProxy drives; throws, saying what to do, when this machine cannot run the mode. */
  newProvider(opts: ProxyOptions): Promise<Provider>;
  /** Throws a RangeError naming the flag when a mode option is not one this mode takes. */
  checkOptions?(opts: RenderOptions): void;
  /** Kernel modes: every rule the mode programs for `input`, in its tools' own text format. */
  render?(input: RulesInput, opts?: RenderOptions): string;
}

/** A mode that programs the kernel always has a rule set to print. */
export interface KernelProxyMode extends ProxyMode {
  readonly kernel: true;
  render(input: RulesInput, opts?: RenderOptions): string;
}

/** Runs the mode's tools in the node's namespace, with the command timeout asked for. */
export function execOptions(opts: ProxyOptions): { timeoutMs?: number } {
  return opts.commandTimeoutMs !== undefined ? { timeoutMs: opts.commandTimeoutMs } : {};
}
