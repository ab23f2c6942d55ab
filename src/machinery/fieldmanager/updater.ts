// Ownership as structured-merge-diff's Updater keeps it: an Update takes the fields it changed
// from every other manager; an Apply merges the configuration, removes the fields its manager
// applied before and no longer applies (unless someone else owns them), and fails with the
// conflicting fields when it would change a field another manager owns, unless forced.
import { deepEqual } from '../../apiserver/store/deep-equal.js';
import type { Path } from './path.js';
import { FieldSet } from './set.js';
import { compare, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet, type Comparison } from './typed.js';
import type { TypeRef } from './schema.js';
import type { Manager, Managers } from './managers.js';

export interface Conflict {
  /** The manager's identity (see identifier()). */
  manager: string;
  path: Path;
}

export class ConflictError extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(`${conflicts.length} conflict(s)`);
  }
}

function filtered(c: Comparison, ignored: FieldSet): Comparison {
  return {
    added: c.added.recursiveDifference(ignored),
    modified: c.modified.recursiveDifference(ignored),
    removed: c.removed.recursiveDifference(ignored),
  };
}

/** Takes what changed from `oldObj` to `newObj` away from every manager but `self`; conflicts unless forced. */
function takeChanged(
  oldObj: unknown,
  newObj: unknown,
  t: TypeRef,
  managers: Managers,
  self: string,
  force: boolean,
  ignored: FieldSet,
): Comparison {
  const c = filtered(compare(oldObj, newObj, t), ignored);
  const changed = c.modified.union(c.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [id, m] of managers) {
    if (id === self) continue;
    const taken = m.set.intersection(changed);
    if (!taken.empty()) conflicts.set(id, taken);
  }
  if (!force && conflicts.size) {
    const list: Conflict[] = [];
    for (const id of [...conflicts.keys()].sort()) for (const path of conflicts.get(id)!.paths()) list.push({ manager: id, path });
    throw new ConflictError(list);
  }
  for (const [id, m] of managers) {
    if (id === self) continue;
    let set = m.set;
    const taken = conflicts.get(id);
    if (taken) set = set.difference(taken);
    if (!c.removed.empty()) set = set.difference(c.removed);
    if (set.empty()) managers.delete(id);
    else if (set !== m.set) managers.set(id, { ...m, set });
  }
  return c;
}

/** An Update by `self`: returns the fields it now owns (changed ones only), having taken them from the others. */
export function updateOwnership(oldObj: unknown, newObj: unknown, t: TypeRef, managers: Managers, self: string, ignored: FieldSet): FieldSet {
  const c = takeChanged(oldObj, newObj, t, managers, self, true, ignored);
  return c.modified.union(c.added);
}

/**
 * An Apply by `id`: the merged object and the managers after it. `entry` describes the applier
 * (its set is replaced by the configuration's fields). Throws ConflictError.
 */
export function applyOwnership(
  live: unknown,
  config: unknown,
  t: TypeRef,
  managers: Managers,
  id: string,
  entry: Omit<Manager, 'set'>,
  force: boolean,
  ignored: FieldSet,
): { object: unknown; changed: boolean } {
  let merged = merge(live, config, t);
  const last = managers.get(id)?.set;
  const set = toFieldSet(config, t).recursiveDifference(ignored);
  managers.set(id, { ...entry, set });
  merged = prune(merged, managers, last, t);
  takeChanged(live, merged, t, managers, id, force, ignored);
  return { object: merged, changed: !deepEqual(live, merged) };
}

/**
 * Removes what the applier owned before and no longer applies, keeping what any manager (the
 * applier's new configuration included) still owns — upstream's prune, addBackOwnedItems and
 * addBackDanglingItems on one version.
 */
function prune(merged: unknown, managers: Managers, lastSet: FieldSet | undefined, t: TypeRef): unknown {
  if (!lastSet || lastSet.empty()) return merged;
  const named = (s: FieldSet) => ensureNamedFieldsAreMembers(s, t);
  const last = named(lastSet);
  let pruned = removeItems(merged, last, t);
  let managed = new FieldSet();
  for (const m of managers.values()) managed = managed.union(m.set);
  const mergedSet = named(toFieldSet(merged, t, true));
  const prunedSet = named(toFieldSet(pruned, t, true));
  pruned = removeItems(merged, mergedSet.difference(prunedSet.union(named(managed))), t);
  const keptSet = named(toFieldSet(pruned, t, true));
  return removeItems(merged, mergedSet.difference(keptSet).intersection(last), t);
}
