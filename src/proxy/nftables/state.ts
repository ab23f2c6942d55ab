// What the provider believes is in the kernel, per Service port, and the diff that turns it into
// the next state: only chains whose rules changed are rewritten, only sets whose elements changed
// are touched, and chains or sets nobody owns any more are flushed at once and deleted later.
//
// The transaction is written in the forms nft 1.0.6 sends without first dumping the kernel's
// whole ruleset: chains declared with their rules (`add chain T C { ... }`), elements declared
// inside their set (`add map T S { ...; elements = { ... } }`), a set with a removed element
// flushed and declared again whole. `add rule`, `add element`, `delete element` and `delete chain`
// each make nft list every chain first, ~2 s at 10,000 Services × 10 endpoints (112,000 chains),
// where this costs ~0.2 s there (the kernel checking the jumps) and a few ms at 1,000
// (bench/README.md). Deleting a chain has no such form, so stale chains and sets are flushed
// (nothing refers to them after that) and deleted together once they have waited long enough.
import { addOnlySets, declareSetLine, flushSetLine } from './base.js';
import { addAffinitySetLine, declareChainLine, elementId, elementText, table, type NftElement, type ServicePortRules } from './objects.js';

export class AppliedState {
  readonly servicePorts = new Map<string, ServicePortRules>();
  /** Chains and affinity sets no Service port owns any more, flushed, waiting to be deleted: name → since (ms). */
  readonly staleChains = new Map<string, number>();
  readonly staleSets = new Map<string, number>();
  /** Elements can be shared (a ClusterIP with several ports): element id → owner key → element. */
  private readonly elementOwners = new Map<string, Map<string, NftElement>>();

  clear(): void {
    this.servicePorts.clear();
    this.elementOwners.clear();
    this.staleChains.clear();
    this.staleSets.clear();
  }

  /** Every element of `set` the kernel has. */
  elementsOf(set: string): NftElement[] {
    const out: NftElement[] = [];
    for (const owners of this.elementOwners.values()) {
      for (const e of owners.values()) {
        if (e.set === set) out.push(e);
        break;
      }
    }
    return out;
  }

  /** When the oldest stale chain or set became stale (undefined: none waits). */
  oldestStale(): number | undefined {
    let oldest: number | undefined;
    for (const since of [...this.staleChains.values(), ...this.staleSets.values()]) if (oldest === undefined || since < oldest) oldest = since;
    return oldest;
  }

  /** The element the kernel has for id (any owner's: owners agree on shared elements). */
  element(id: string): NftElement | undefined {
    const owners = this.elementOwners.get(id);
    if (!owners) return undefined;
    for (const e of owners.values()) return e;
    return undefined;
  }

  set(key: string, rules: ServicePortRules | undefined): void {
    const old = this.servicePorts.get(key);
    if (old) {
      for (const e of old.elements) {
        const owners = this.elementOwners.get(elementId(e));
        owners?.delete(key);
        if (owners && owners.size === 0) this.elementOwners.delete(elementId(e));
      }
      this.servicePorts.delete(key);
    }
    if (!rules) return;
    this.servicePorts.set(key, rules);
    for (const e of rules.elements) {
      const id = elementId(e);
      let owners = this.elementOwners.get(id);
      if (!owners) this.elementOwners.set(id, (owners = new Map()));
      owners.set(key, e);
    }
  }

  /** Every per-Service chain and affinity set in the kernel: owned ones and stale ones. */
  names(): { chains: string[]; sets: string[] } {
    const chains: string[] = [...this.staleChains.keys()];
    const sets: string[] = [...this.staleSets.keys()];
    for (const r of this.servicePorts.values()) {
      chains.push(...r.chains.keys());
      sets.push(...r.affinitySets.keys());
    }
    return { chains, sets };
  }
}

function sameRules(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((r, i) => r === b[i]);
}

function sameElement(a: NftElement | undefined, b: NftElement | undefined): boolean {
  return a?.value === b?.value && a?.comment === b?.comment && (a === undefined) === (b === undefined);
}

export interface PartialOptions {
  /** The clock, for how long stale chains and sets have waited. */
  now: number;
  /** Delete every stale chain and set in this transaction (see AppliedState.staleChains). */
  deleteStale: boolean;
}

/**
 * The transaction moving `state` to `next` for the given Service ports (undefined = gone), and
 * applies the change to `state` in place (after a failed transaction the provider no longer trusts
 * it: the next sync is full, from a listing of the kernel).
 */
export function partialTransaction(state: AppliedState, next: Map<string, ServicePortRules | undefined>, opts: PartialOptions): string[] {
  const flush: string[] = [];
  const delSets: string[] = [];
  const addSets: string[] = [];
  const newChains: string[] = [];
  const chainBodies: string[] = [];
  const elementLines: string[] = [];
  const deletes: string[] = [];

  const touchedElements = new Set<string>();
  const before = new Map<string, NftElement | undefined>();
  for (const [key, rules] of next) {
    const old = state.servicePorts.get(key);
    for (const e of [...(old?.elements ?? []), ...(rules?.elements ?? [])]) {
      const id = elementId(e);
      if (!touchedElements.has(id)) before.set(id, state.element(id));
      touchedElements.add(id);
    }
    const wantChains = rules?.chains ?? new Map<string, string[]>();
    const wantSets = rules?.affinitySets ?? new Map<string, number>();
    const oldSets = old?.affinitySets ?? new Map<string, number>();
    // A set's timeout cannot change in place: recreate it, which needs every rule naming it gone
    // (and pays nft's ruleset dump: a timeout change is rare).
    let recreateSets = false;
    for (const [name, timeout] of wantSets) {
      const was = oldSets.get(name);
      if (was === undefined) {
        // A stale set coming back may have another timeout: delete it rather than guess.
        if (state.staleSets.delete(name)) delSets.push(`delete set ${table} ${name}`);
        addSets.push(addAffinitySetLine(name, timeout));
      } else if (was !== timeout) {
        recreateSets = true;
        delSets.push(`delete set ${table} ${name}`);
        addSets.push(addAffinitySetLine(name, timeout));
      }
    }
    for (const name of oldSets.keys()) if (!wantSets.has(name)) state.staleSets.set(name, opts.now);
    for (const [name, body] of wantChains) {
      const oldBody = old?.chains.get(name);
      if (!recreateSets && sameRules(oldBody, body)) continue;
      if (oldBody || state.staleChains.delete(name)) flush.push(`flush chain ${table} ${name}`);
      else newChains.push(`add chain ${table} ${name}`);
      if (body.length > 0) chainBodies.push(declareChainLine(name, body));
    }
    for (const name of old?.chains.keys() ?? []) {
      if (wantChains.has(name)) continue;
      flush.push(`flush chain ${table} ${name}`);
      state.staleChains.set(name, opts.now);
    }
    state.set(key, rules);
  }
  // Per set: only additions are declared into it; a removed or changed element means the set is
  // flushed and declared again whole, in this one atomic transaction.
  const added = new Map<string, NftElement[]>();
  const rewrite = new Set<string>();
  for (const id of touchedElements) {
    const was = before.get(id);
    const now = state.element(id);
    if (sameElement(was, now)) continue;
    if (was && !now && addOnlySets.has(was.set)) continue;
    if (was) rewrite.add(was.set);
    else if (now) {
      let list = added.get(now.set);
      if (!list) added.set(now.set, (list = []));
      list.push(now);
    }
  }
  for (const set of rewrite) {
    elementLines.push(flushSetLine(set));
    const all = state.elementsOf(set);
    if (all.length > 0) elementLines.push(declareSetLine(set, all.map(elementText)));
  }
  for (const [set, els] of added) if (!rewrite.has(set)) elementLines.push(declareSetLine(set, els.map(elementText)));
  if (opts.deleteStale) {
    for (const name of state.staleSets.keys()) deletes.push(`delete set ${table} ${name}`);
    for (const name of state.staleChains.keys()) deletes.push(`delete chain ${table} ${name}`);
    state.staleSets.clear();
    state.staleChains.clear();
  }
  // Order matters within the one transaction: nothing may be deleted while still referenced,
  // and nothing referenced before it exists (every new chain is declared before any rule).
  return [...flush, ...delSets, ...addSets, ...newChains, ...chainBodies, ...elementLines, ...deletes];
}
