// The pieces a transaction is made of, kept as data so the provider can diff them between syncs
// (only changed chains and elements go to the kernel) while the renderer prints them whole.

export const table = 'ip kube-proxy';

/** One element of a set or verdict map: `{ key [comment "c"] [: value] }`. */
export interface NftElement {
  set: string;
  key: string;
  value?: string;
  comment?: string;
}

/** Everything one Service port owns: its chains (rule bodies in order), affinity sets, elements. */
export interface ServicePortRules {
  chains: Map<string, string[]>;
  /** Affinity set name → timeout in seconds. */
  affinitySets: Map<string, number>;
  elements: NftElement[];
}

export function elementId(e: NftElement): string {
  return `${e.set} ${e.key}`;
}

/** An element as written between a set's braces: `key [comment "c"] [: value]`. */
export function elementText(e: NftElement): string {
  const comment = e.comment !== undefined ? ` comment ${JSON.stringify(e.comment)}` : '';
  const value = e.value !== undefined ? ` : ${e.value}` : '';
  return `${e.key}${comment}${value}`;
}

export function addElementLine(e: NftElement): string {
  return `add element ${table} ${e.set} { ${elementText(e)} }`;
}

/**
 * A chain and its rules as one declaration, `add chain T C { rule ; rule ; }`. nft 1.0.6 sends
 * this without first reading the kernel's ruleset, where every `add rule` line makes it dump all
 * chains first (seconds at 100,000 chains; bench/README.md): partial syncs write chains this way.
 * An existing chain keeps what it had, so a rewrite flushes it first.
 */
export function declareChainLine(chain: string, rules: readonly string[]): string {
  return rules.length === 0 ? `add chain ${table} ${chain}` : `add chain ${table} ${chain} { ${rules.join(' ; ')} ; }`;
}

export function addChainLines(chain: string, rules: readonly string[]): string[] {
  return [`add chain ${table} ${chain}`, `flush chain ${table} ${chain}`, ...rules.map((r) => `add rule ${table} ${chain} ${r}`)];
}

export function addAffinitySetLine(name: string, timeoutSeconds: number): string {
  // "dynamic" as upstream: some kernels add it themselves, and a later `add set` without it would
  // then fail as an attempt to change the flags.
  return `add set ${table} ${name} { type ipv4_addr ; flags dynamic,timeout ; timeout ${timeoutSeconds}s ; }`;
}
