// The status the API server's naming and establishing controllers give a CRD
// (apiextensions-apiserver pkg/controller/status/naming_controller.go and establish):
// acceptedNames and NamesAccepted from the names no other CRD of the group already holds,
// then Established once the names are accepted.
import type {
  CustomResourceDefinition,
  CustomResourceDefinitionCondition,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionStatus,
} from './types.js';

interface NameConflict {
  reason: string;
  message: string;
}

/** Names (plural, singular, short names, kind, listKind) held by the other CRDs of `group`. */
function usedNames(group: string, others: readonly CustomResourceDefinition[], self: string | undefined) {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const o of others) {
    if (o.spec?.group !== group || o.metadata?.name === self) continue;
    const n = o.status?.acceptedNames ?? {};
    for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (r) resources.add(r);
    for (const k of [n.kind, n.listKind]) if (k) kinds.add(k);
  }
  return { resources, kinds };
}

/** equalToAcceptedOrFresh: a name may be kept if already accepted, or taken if nobody holds it. */
function freshOrAccepted(requested: string | undefined, accepted: string | undefined, used: Set<string>): NameConflict | undefined {
  if (requested === accepted || !requested || !used.has(requested)) return undefined;
  return { reason: '', message: `${JSON.stringify(requested)} is already in use` };
}

/**
 * calculateNamesAndConditions: each name is accepted on its own; a conflicting one keeps the
 * previously accepted value, and the last conflict found names the condition's reason.
 */
function acceptNames(requested: CustomResourceDefinitionNames, accepted: CustomResourceDefinitionNames, used: ReturnType<typeof usedNames>) {
  const next: CustomResourceDefinitionNames = structuredClone(accepted);
  let conflict: NameConflict | undefined;
  const take = (key: 'plural' | 'singular' | 'kind' | 'listKind', set: Set<string>, reason: string) => {
    const c = freshOrAccepted(requested[key], accepted[key], set);
    if (c) conflict = { ...c, reason };
    else if (requested[key] !== undefined) next[key] = requested[key];
  };
  take('plural', used.resources, 'PluralConflict');
  take('singular', used.resources, 'SingularConflict');
  if (JSON.stringify(requested.shortNames ?? []) !== JSON.stringify(accepted.shortNames ?? [])) {
    const kept = new Set(accepted.shortNames ?? []);
    const msgs = (requested.shortNames ?? []).filter((s) => !kept.has(s)).flatMap((s) => freshOrAccepted(s, '', used.resources)?.message ?? []);
    if (msgs.length) conflict = { reason: 'ShortNamesConflict', message: msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]` };
    else if (requested.shortNames) next.shortNames = requested.shortNames;
  }
  take('kind', used.kinds, 'KindConflict');
  take('listKind', used.kinds, 'ListKindConflict');
  if (requested.categories) next.categories = requested.categories;
  return { next, conflict };
}

function setCondition(conds: CustomResourceDefinitionCondition[], c: CustomResourceDefinitionCondition, now: string): CustomResourceDefinitionCondition[] {
  const old = conds.find((x) => x.type === c.type);
  const next = { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime ?? now : now };
  return [...conds.filter((x) => x.type !== c.type), next];
}

/**
 * The CRD's next status given the other CRDs in the cluster: accepted names and NamesAccepted,
 * Established (which stays True once set, as upstream), and storedVersions holding the storage
 * version.
 */
export function computeCRDStatus(
  crd: CustomResourceDefinition,
  others: readonly CustomResourceDefinition[],
  now = new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
): CustomResourceDefinitionStatus {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const { next, conflict } = acceptNames(names, crd.status?.acceptedNames ?? {}, usedNames(spec.group ?? '', others, crd.metadata?.name));
  let conds = [...(crd.status?.conditions ?? [])];
  const acceptedNames = next;
  conds = conflict
    ? setCondition(conds, { type: 'NamesAccepted', status: 'False', ...conflict }, now)
    : setCondition(conds, { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }, now);
  // The naming controller marks the CRD Installing once its names are accepted and the
  // establishing controller then sets Established; with no storage to prepare here both happen at once.
  if (!conds.some((c) => c.type === 'Established' && c.status === 'True')) {
    conds = conflict
      ? setCondition(conds, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }, now)
      : setCondition(conds, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
  }
  const storage = (spec.versions ?? []).find((v) => v.storage)?.name;
  const stored = [...(crd.status?.storedVersions ?? [])];
  if (storage && !stored.includes(storage)) stored.push(storage);
  const order = ['NamesAccepted', 'Established'];
  conds.sort((a, b) => (order.indexOf(a.type) + 10) % 10 - (order.indexOf(b.type) + 10) % 10);
  return { conditions: conds, acceptedNames, storedVersions: stored };
}
