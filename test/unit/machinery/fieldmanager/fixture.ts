// A live object and its managers, driven by Apply and Update operations as structured-merge-diff's
// internal/fixture drives its test cases; schemas are built directly as TypeRefs.
import { applyOwnership, FieldSet, identifier, updateOwnership, type Managers, type Path, type TypeRef } from '../../../../src/machinery/fieldmanager/index.js';

export const str: TypeRef = { kind: 'scalar' };
export const num: TypeRef = { kind: 'scalar' };
export const struct = (fields: Record<string, TypeRef>, defaults: Record<string, unknown> = {}): TypeRef => ({
  kind: 'map',
  fields: new Map(Object.entries(fields).map(([k, type]) => [k, { type, ...(k in defaults ? { default: defaults[k] } : {}) }])),
  atomic: false,
});
export const map = (elem: TypeRef, atomic = false): TypeRef => ({ kind: 'map', fields: new Map(), elem, atomic });
export const setList = (elem: TypeRef = str): TypeRef => ({ kind: 'list', elem, associative: true, keys: [] });
export const keyedList = (elem: TypeRef, ...keys: string[]): TypeRef => ({ kind: 'list', elem, associative: true, keys });
export const atomicList = (elem: TypeRef): TypeRef => ({ kind: 'list', elem, associative: false, keys: [] });

export const F = (...names: string[]) => names.map((field) => ({ field }));

export class State {
  live: unknown = {};
  managers: Managers = new Map();
  constructor(readonly t: TypeRef) {}

  private id(manager: string, op: 'Apply' | 'Update'): string {
    return identifier({ manager, operation: op, apiVersion: 'v1' });
  }

  apply(manager: string, config: unknown, force = false): void {
    const trial: Managers = new Map(this.managers);
    const id = this.id(manager, 'Apply');
    const r = applyOwnership(this.live, config, this.t, trial, id, { manager, operation: 'Apply', apiVersion: 'v1' }, force, new FieldSet());
    this.live = r.object;
    this.managers = trial;
  }

  update(manager: string, obj: unknown): void {
    const owned = updateOwnership(this.live, obj, this.t, this.managers, '\0current', new FieldSet());
    const id = this.id(manager, 'Update');
    const prev = this.managers.get(id)?.set;
    const set = prev ? owned.union(prev) : owned;
    if (!set.empty()) this.managers.set(id, { manager, operation: 'Update', apiVersion: 'v1', set });
    this.live = obj;
  }

  /** The paths a manager owns, printed (`.list[="a"]`), sorted. */
  owned(manager: string, op: 'Apply' | 'Update' = 'Apply'): string[] {
    const m = this.managers.get(this.id(manager, op));
    return m ? m.set.paths().map(print).sort() : [];
  }

  managerNames(): string[] {
    return [...this.managers.values()].map((m) => `${m.manager}/${m.operation}`).sort();
  }
}

import { pathString } from '../../../../src/machinery/fieldmanager/index.js';
const print = (p: Path) => pathString(p);
