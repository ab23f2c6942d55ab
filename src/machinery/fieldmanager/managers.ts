// managedFields entries and the managers they record, as k8s.io/apimachinery's managedfields:
// one entry per manager identity (manager name, operation, and for Update the apiVersion; the
// subresource), each with the set of fields it owns in FieldsV1.
import type { ManagedFieldsEntry } from '../../api/meta.js';
import { FieldSet } from './set.js';
import { fromFieldsV1, toFieldsV1 } from './fieldsv1.js';
import { compareStrings } from './path.js';

export type Operation = 'Apply' | 'Update';

export interface Manager {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/** Managers by identity. */
export type Managers = Map<string, Manager>;

/** Upstream's BuildManagerIdentifier: the entry without fields and time, Apply without apiVersion, as JSON. */
export function identifier(m: { manager: string; operation: Operation; apiVersion?: string; subresource?: string }): string {
  const o: Record<string, string> = {};
  if (m.manager) o.manager = m.manager;
  o.operation = m.operation;
  if (m.operation === 'Update' && m.apiVersion) o.apiVersion = m.apiVersion;
  if (m.subresource) o.subresource = m.subresource;
  return JSON.stringify(o);
}

export class ManagedFieldsError extends Error {}

export function decodeManagedFields(entries: unknown): Managers {
  const out: Managers = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new ManagedFieldsError('managedFields must be a list');
  for (const e of entries as ManagedFieldsEntry[]) {
    if (!e || typeof e !== 'object') throw new ManagedFieldsError('managedFields entry must be an object');
    if (e.fieldsType !== 'FieldsV1') throw new ManagedFieldsError(`error decoding versioned set from ${JSON.stringify(e)}: only FieldsV1 is supported: received ${e.fieldsType ?? ''}`);
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new ManagedFieldsError(`unknown operation ${JSON.stringify(e.operation)}`);
    const m: Manager = {
      manager: typeof e.manager === 'string' ? e.manager : '',
      operation: e.operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      set: fromFieldsV1(e.fieldsV1 ?? {}),
    };
    if (typeof e.time === 'string') m.time = e.time;
    if (typeof e.subresource === 'string' && e.subresource) m.subresource = e.subresource;
    out.set(identifier(m), m);
  }
  return out;
}

/** The managedFields list in upstream's order: Apply before Update, then by time, manager, apiVersion, subresource. */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] {
  const list = [...managers.values()].filter((m) => !m.set.empty());
  const secs = (m: Manager) => (m.time ? Math.floor(Date.parse(m.time) / 1000) : 0);
  list.sort(
    (p, q) =>
      compareStrings(p.operation, q.operation) ||
      secs(p) - secs(q) ||
      compareStrings(p.manager, q.manager) ||
      compareStrings(p.apiVersion, q.apiVersion) ||
      compareStrings(p.subresource ?? '', q.subresource ?? ''),
  );
  return list.map((m) => managedFieldsEntry(m, toFieldsV1(m.set)));
}

/** One manager's entry as upstream encodes it (no empty manager; fields in this order), its FieldsV1 given. */
export function managedFieldsEntry(m: Omit<Manager, 'set'>, fieldsV1: ManagedFieldsEntry['fieldsV1']): ManagedFieldsEntry {
  const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
  if (!m.manager) delete e.manager;
  if (m.time) e.time = m.time;
  e.fieldsType = 'FieldsV1';
  e.fieldsV1 = fieldsV1;
  if (m.subresource) e.subresource = m.subresource;
  return e;
}

export const maxUpdateManagers = 10;
export const ancientChangesManager = 'ancient-changes';

/**
 * Upstream's capManagersManager: past `max` Update managers, the oldest are folded, per
 * apiVersion, into one "ancient-changes" Update entry that takes the newest folded time.
 */
export function capUpdateManagers(managers: Managers, max = maxUpdateManagers): void {
  const updaters = [...managers.entries()].filter(([, m]) => m.operation === 'Update');
  if (updaters.length <= max) return;
  const secs = (m: Manager) => (m.time ? Math.floor(Date.parse(m.time) / 1000) : 0);
  updaters.sort(([ia, a], [ib, b]) => secs(a) - secs(b) || compareStrings(ia, ib));
  const firstOfVersion = new Map<string, string>();
  let count = updaters.length;
  for (const [id, m] of updaters) {
    if (count <= max) break;
    const bucket = identifier({ manager: ancientChangesManager, operation: 'Update', apiVersion: m.apiVersion });
    const first = firstOfVersion.get(m.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(m.apiVersion, id);
      continue;
    }
    if (!managers.has(bucket)) {
      const f = managers.get(first)!;
      managers.delete(first);
      managers.set(bucket, { manager: ancientChangesManager, operation: 'Update', apiVersion: f.apiVersion, set: f.set });
    }
    const b = managers.get(bucket)!;
    const merged: Manager = { ...b, set: m.set.union(b.set) };
    if (m.time) merged.time = m.time;
    managers.set(bucket, merged);
    managers.delete(id);
    count--;
  }
}
