// What the provider believes is in the kernel, per Service port, and the diff that turns it into
// the next state: only chains whose rules changed are rewritten, only elements whose value
// changed are replaced, and chains or sets nobody owns any more are flushed and deleted.
import { addAffinitySetLine, addElementLine, deleteElementLine, elementId, table, type NftElement, type ServicePortRules } from './objects.js';

export class AppliedState {
  readonly servicePorts = new Map<string, ServicePortRules>();
  /** Elements can be shared (a ClusterIP with several ports): element id → owner key → element. */
  private readonly elementOwners = new Map<string, Map<string, NftElement>>();

  clear(): void {
    this.servicePorts.clear();
    this.elementOwners.clear();
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

  /** Every per-Service chain and affinity set this record holds. */
  names(): { chains: string[]; sets: string[] } {
    const chains: string[] = [];
    const sets: string[] = [];
    for (const r of this.servicePorts.values()) {
      chains.push(...r.chains.keys());
      sets.push(...r.affinitySets.keys());
    }
    return { chains, sets };
  }

  clone(): AppliedState {
    const c = new AppliedState();
    for (const [k, r] of this.servicePorts) c.set(k, r);
    return c;
  }
}

function sameRules(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((r, i) => r === b[i]);
}

function sameElement(a: NftElement | undefined, b: NftElement | undefined): boolean {
  return a?.value === b?.value && a?.comment === b?.comment && (a === undefined) === (b === undefined);
}

/**
 * The transaction moving `state` to `next` for the given Service ports (undefined = gone), and
 * applies the change to `state` (callers pass a clone and keep it only if nft succeeds).
 */
export function partialTransaction(state: AppliedState, next: Map<string, ServicePortRules | undefined>): string[] {
  const flush: string[] = [];
  const delElements: string[] = [];
  const delSets: string[] = [];
  const addSets: string[] = [];
  const addChains: string[] = [];
  const addRules: string[] = [];
  const addElements: string[] = [];
  const delChains: string[] = [];

  const touchedElements = new Set<string>();
  const before = new Map<string, NftElement | undefined>();
  for (const [key, rules] of next) {
    const old = state.servicePorts.get(key);
    for (const e of [...(old?.elements ?? []), ...(rules?.elements ?? [])]) {
      const id = elementId(e);
      if (!touchedElements.has(id)) before.set(id, state.element(id));
      touchedElements.add(id);
    }
    const newChains = rules?.chains ?? new Map<string, string[]>();
    const newSets = rules?.affinitySets ?? new Map<string, number>();
    const oldSets = old?.affinitySets ?? new Map<string, number>();
    // A set's timeout cannot change in place: recreate it, which needs every rule naming it gone.
    let recreateSets = false;
    for (const [name, timeout] of newSets) {
      const was = oldSets.get(name);
      if (was === undefined) addSets.push(addAffinitySetLine(name, timeout));
      else if (was !== timeout) {
        recreateSets = true;
        delSets.push(`delete set ${table} ${name}`);
        addSets.push(addAffinitySetLine(name, timeout));
      }
    }
    for (const name of oldSets.keys()) if (!newSets.has(name)) delSets.push(`delete set ${table} ${name}`);
    for (const [name, body] of newChains) {
      const oldBody = old?.chains.get(name);
      if (!recreateSets && sameRules(oldBody, body)) continue;
      if (oldBody) flush.push(`flush chain ${table} ${name}`);
      addChains.push(`add chain ${table} ${name}`);
      for (const r of body) addRules.push(`add rule ${table} ${name} ${r}`);
    }
    for (const name of old?.chains.keys() ?? []) {
      if (newChains.has(name)) continue;
      flush.push(`flush chain ${table} ${name}`);
      delChains.push(`delete chain ${table} ${name}`);
    }
    state.set(key, rules);
  }
  for (const id of touchedElements) {
    const was = before.get(id);
    const now = state.element(id);
    if (sameElement(was, now)) continue;
    if (was) delElements.push(deleteElementLine(was));
    if (now) addElements.push(addElementLine(now));
  }
  // Order matters within the one transaction: nothing may be deleted while still referenced,
  // and nothing referenced before it exists.
  return [...flush, ...delElements, ...delSets, ...addSets, ...addChains, ...addRules, ...addElements, ...delChains];
}
