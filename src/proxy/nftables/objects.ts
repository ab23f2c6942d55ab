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

export function addElementLine(e: NftElement): string {
  const comment = e.comment !== undefined ? ` comment ${JSON.stringify(e.comment)}` : '';
  const value = e.value !== undefined ? ` : ${e.value}` : '';
  return `add element ${table} ${e.set} { ${e.key}${comment}${value} }`;
}

export function deleteElementLine(e: NftElement): string {
  return `delete element ${table} ${e.set} { ${e.key} }`;
}

export function addChainLines(chain: string, rules: readonly string[]): string[] {
  return [`add chain ${table} ${chain}`, `flush chain ${table} ${chain}`, ...rules.map((r) => `add rule ${table} ${chain} ${r}`)];
}

export function addAffinitySetLine(name: string, timeoutSeconds: number): string {
  // "dynamic" as upstream: some kernels add it themselves, and a later `add set` without it would
  // then fail as an attempt to change the flags.
  return `add set ${table} ${name} { type ipv4_addr ; flags dynamic,timeout ; timeout ${timeoutSeconds}s ; }`;
}
