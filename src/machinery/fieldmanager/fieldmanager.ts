// The field manager of one kind, as k8s.io/apiserver's fieldmanager stacks it: every write is
// recorded as an Update by its manager; an apply-patch is merged as an Apply. The two calls the
// API server makes are recordUpdate (every create, update and patch) and applyConfiguration
// (server-side apply).
import type { KubeObject, ManagedFieldsEntry } from '../../api/meta.js';
import { CreateShapes, shapeOf } from './create-shapes.js';
import { toFieldsV1 } from './fieldsv1.js';
import { sharedFieldsV1 } from './intern.js';
import { definitionNameFor } from '../../api/schema/lookup.js';
import { errors } from '../status.js';
import { goJSON } from './path.js';
import { FieldSet } from './set.js';
import { deducedType, typeOfDefinition, type TypeRef } from './schema.js';
import { compare, toFieldSet, TypedError } from './typed.js';
import { capUpdateManagers, decodeManagedFields, encodeManagedFields, identifier, managedFieldsEntry, type Manager, type Managers } from './managers.js';
import { applyOwnership, ConflictError, updateOwnership } from './updater.js';
import { conflictStatus } from './conflict.js';
import { metaTime } from '../time.js';

export interface Kind {
  group: string;
  version: string;
  kind: string;
  /** Whether the kind has a status subresource (whose fields main-resource writes do not own). */
  hasStatus: boolean;
}

export interface Write {
  /** The fieldManager parameter, else managerFromUserAgent(). */
  manager: string;
  /** "status" for writes to the status subresource. */
  subresource?: string;
  now?: Date;
}

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

const f = (...names: string[]) => names.map((field) => ({ field }));
/** What no manager owns (upstream's stripMetaManager). */
const stripped = FieldSet.of(
  f('apiVersion'),
  f('kind'),
  f('metadata'),
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((n) => f('metadata', n)),
);

const types = new Map<string, TypeRef>();
function typeOf(k: Kind): TypeRef {
  const key = `${k.group}/${k.version}/${k.kind}`;
  let t = types.get(key);
  if (!t) {
    const name = definitionNameFor(k);
    t = name ? typeOfDefinition(name) : deducedType;
    types.set(key, t);
  }
  return t;
}

/** The fields a write of this kind does not own: upstream's strategies' GetResetFields. */
function resetFields(k: Kind, subresource: string | undefined): FieldSet {
  if (subresource === 'status' || subresource === 'approval') return FieldSet.of(f('spec'));
  return k.hasStatus ? FieldSet.of(f('status')) : new FieldSet();
}

function apiVersionOf(k: Kind): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}

function timestamp(now: Date): string {
  return metaTime(now);
}

/**
 * Upstream's prefixFromUserAgent: the user agent up to its first "/", without unprintable
 * characters, at most 128 bytes ("kubectl/v1.32.0 (linux/amd64) ..." → "kubectl").
 */
export function managerFromUserAgent(ua: string | undefined): string {
  let out = '';
  for (const ch of (ua ?? '').split('/')[0]!) {
    if (ch !== ' ' && /[\p{C}\p{Z}]/u.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > 128) break;
    out += ch;
  }
  return out;
}

function withoutManagedFields(o: KubeObject | undefined): KubeObject | Record<string, never> {
  if (!o) return {};
  const { managedFields: _m, ...meta } = o.metadata ?? {};
  return { ...o, metadata: meta };
}

function decodeOrEmpty(entries: unknown): Managers {
  try {
    return decodeManagedFields(entries);
  } catch {
    return new Map();
  }
}

/**
 * Upstream's decodeLiveOrNew: a write may set managedFields itself ([] or [{}] clears them, a
 * valid list replaces them); otherwise, and always for subresources, the live ones carry on.
 */
function baseManagers(live: KubeObject | undefined, obj: KubeObject, subresource: string | undefined): Managers {
  if (subresource) return decodeOrEmpty(live?.metadata?.managedFields);
  const given = obj.metadata?.managedFields as unknown;
  if (Array.isArray(given)) {
    if (given.length === 0) return new Map();
    if (given.length === 1 && given[0] && typeof given[0] === 'object' && Object.keys(given[0] as object).length === 0) return new Map();
    const m = decodeOrEmpty(given);
    if (m.size) return m;
  }
  return decodeOrEmpty(live?.metadata?.managedFields);
}

function setManagedFields(obj: KubeObject, managers: Managers): void {
  capUpdateManagers(managers);
  const list = encodeManagedFields(managers);
  if (list.length) obj.metadata.managedFields = list;
  else delete obj.metadata.managedFields;
}

/** The manager identity an Update's changes are worked out under before they go to its real entry. */
const currentOperation = '\0current-operation';

/**
 * Records `obj` (about to replace `live`, or be created when `live` is undefined) as an Update
 * by `w.manager`: it takes the fields it changed from the others. An object that does not fit
 * its schema (duplicate list keys, ...) is stored without managedFields, as upstream's
 * UpdateNoErrors does.
 */
export function recordUpdate(k: Kind, live: KubeObject | undefined, obj: KubeObject, w: Write): void {
  if (!live && !w.subresource && obj.metadata?.managedFields === undefined) return recordCreate(k, obj, w);
  const managers = baseManagers(live, obj, w.subresource);
  try {
    const apiVersion = apiVersionOf(k);
    const owned = updateOwnership(withoutManagedFields(live), withoutManagedFields(obj), typeOf(k), managers, currentOperation, resetFields(k, w.subresource)).difference(stripped);
    if (!owned.empty()) {
      const id = identifier({ manager: w.manager, operation: 'Update', apiVersion, ...(w.subresource ? { subresource: w.subresource } : {}) });
      const prev = managers.get(id);
      const m: Manager = { manager: w.manager, operation: 'Update', apiVersion, time: timestamp(w.now ?? new Date()), set: prev ? owned.union(prev.set) : owned };
      if (w.subresource) m.subresource = w.subresource;
      managers.set(id, m);
    }
    setManagedFields(obj, managers);
  } catch {
    // Bookkeeping never fails a write: upstream stores the object without managedFields then.
    delete obj.metadata.managedFields;
  }
}

const createShapes = new CreateShapes();

/**
 * recordUpdate of a create that brings no managedFields: the writer owns every field it set, so
 * the entry's FieldsV1 follows from the object's shape (create-shapes.ts) and is worked out once
 * per kind and shape.
 */
function recordCreate(k: Kind, obj: KubeObject, w: Write): void {
  const key = `${k.group}/${k.version}/${k.kind}/${k.hasStatus}\n${shapeOf(obj)}`;
  let fields = createShapes.get(key);
  if (fields === undefined) {
    try {
      const owned = updateOwnership({}, obj, typeOf(k), new Map(), currentOperation, resetFields(k, undefined)).difference(stripped);
      fields = owned.empty() ? '' : JSON.stringify(toFieldsV1(owned));
    } catch {
      // As recordUpdate: an object that does not fit its schema is stored without managedFields.
      delete obj.metadata.managedFields;
      return;
    }
    createShapes.set(key, fields);
  }
  if (fields === '') {
    delete obj.metadata.managedFields;
    return;
  }
  // The shared frozen copy the watch cache gives objects of this shape anyway (intern.ts):
  // nothing changes a FieldsV1 in place, and parsing one per create was ~2 % of a create's CPU.
  const fieldsV1 = sharedFieldsV1(fields) as ManagedFieldsEntry['fieldsV1'];
  obj.metadata.managedFields = [managedFieldsEntry({ manager: w.manager, operation: 'Update', apiVersion: apiVersionOf(k), time: timestamp(w.now ?? new Date()) }, fieldsV1)];
}

/**
 * Server-side apply of `config` (the decoded apply-patch body) to `live` (undefined: the apply
 * creates the object). Returns the merged object with its managedFields; throws upstream's 400s
 * for a configuration it cannot take and its 409 for conflicts unless `force`.
 */
export function applyConfiguration(k: Kind, live: KubeObject | undefined, config: Record<string, unknown>, w: Write & { force: boolean }): KubeObject {
  const gv = apiVersionOf(k);
  if (config.apiVersion !== gv) {
    throw errors.badRequest(`Incorrect version specified in apply patch. Specified patch version: ${typeof config.apiVersion === 'string' ? config.apiVersion : ''}, expected: ${gv}`);
  }
  if (config.kind !== k.kind) {
    const kind = typeof config.kind === 'string' ? config.kind : '';
    throw errors.badRequest(`failed to create typed patch object (${k.group}/${k.version}, Kind=${kind}): no corresponding type for ${k.group}/${k.version}, Kind=${kind}`);
  }
  const meta = config.metadata;
  if (meta !== undefined && meta !== null && (typeof meta !== 'object' || Array.isArray(meta))) {
    throw errors.badRequest(`failed to create typed patch object (${k.group}/${k.version}, Kind=${k.kind}): .metadata: expected map, got ${goJSON(meta)}`);
  }
  if (meta && (meta as Record<string, unknown>).managedFields !== undefined) throw errors.badRequest('metadata.managedFields must be nil');
  const t = typeOf(k);
  try {
    toFieldSet(config, t);
  } catch (e) {
    if (e instanceof TypedError) throw errors.badRequest(`failed to create typed patch object (${k.group}/${k.version}, Kind=${k.kind}): ${e.message}`);
    throw e;
  }
  const managers = decodeOrEmpty(live?.metadata?.managedFields);
  const sub = w.subresource ? { subresource: w.subresource } : {};
  const id = identifier({ manager: w.manager, operation: 'Apply', ...sub });
  const prev = managers.get(id);
  const entry: Omit<Manager, 'set'> = { manager: w.manager, operation: 'Apply', apiVersion: gv, ...sub, ...(prev?.time ? { time: prev.time } : {}) };
  const ignored = resetFields(k, w.subresource);
  const liveValue = withoutManagedFields(live);
  const run = (force: boolean) => {
    const trial: Managers = new Map(managers);
    return { result: applyOwnership(liveValue, config, t, trial, id, entry, force, ignored), managers: trial };
  };
  let out: ReturnType<typeof run>;
  try {
    try {
      out = run(w.force);
    } catch (e) {
      const allowed = e instanceof ConflictError ? allowedByLastApplied(k, live, w.manager, t) : undefined;
      if (!allowed) throw e;
      const remaining = (e as ConflictError).conflicts.filter((c) => !allowed.has(c.path));
      if (remaining.length) throw new ConflictError(remaining);
      out = run(true);
    }
  } catch (e) {
    if (e instanceof ConflictError) throw conflictStatus(e.conflicts);
    if (e instanceof TypedError) throw errors.badRequest(`failed to create typed live object (${k.group}/${k.version}, Kind=${k.kind}): ${e.message}`);
    throw e;
  }
  const applier = out.managers.get(id)!;
  const set = applier.set.difference(stripped);
  if (set.empty()) out.managers.delete(id);
  else out.managers.set(id, { ...applier, set, ...(out.result.changed || !prev ? { time: timestamp(w.now ?? new Date()) } : {}) });
  const obj = out.result.object as KubeObject;
  obj.metadata ??= {};
  syncLastApplied(obj, config, w.manager);
  setManagedFields(obj, out.managers);
  return obj;
}

/**
 * Upstream's lastAppliedManager: `kubectl apply --server-side` on an object last applied
 * client-side may take the fields its last-applied configuration set to the values they still
 * have — they were the user's own. The fields it returns are the conflicts that remain.
 */
function allowedByLastApplied(k: Kind, live: KubeObject | undefined, manager: string, t: TypeRef): FieldSet | undefined {
  if (manager !== 'kubectl' || !live) return undefined;
  const text = live.metadata?.annotations?.[lastAppliedAnnotation];
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    const lastApplied = JSON.parse(text) as Record<string, unknown>;
    if (!lastApplied || typeof lastApplied !== 'object' || lastApplied.apiVersion !== apiVersionOf(k)) return undefined;
    const c = compare(lastApplied, withoutManagedFields(live), t);
    return toFieldSet(lastApplied, t).difference(c.modified).difference(c.added).difference(c.removed);
  } catch {
    return undefined;
  }
}

/**
 * Upstream's lastAppliedUpdater: a server-side apply by "kubectl" keeps the client-side
 * last-applied annotation, where one exists, equal to what was applied, so a later client-side
 * apply computes its patch from the right base.
 */
function syncLastApplied(obj: KubeObject, config: Record<string, unknown>, manager: string): void {
  if (manager !== 'kubectl' || typeof obj.metadata.annotations?.[lastAppliedAnnotation] !== 'string') return;
  const copy = structuredClone(config) as { metadata?: { annotations?: Record<string, string> } };
  if (copy.metadata?.annotations) {
    delete copy.metadata.annotations[lastAppliedAnnotation];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  obj.metadata.annotations = { ...obj.metadata.annotations, [lastAppliedAnnotation]: `${goJSON(copy)}\n` };
}


