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

function findConflict(names: CustomResourceDefinitionNames, used: ReturnType<typeof usedNames>): NameConflict | undefined {
  const inUse = (v: string): string => `${JSON.stringify(v)} is already in use`;
  if (names.plural && used.resources.has(names.plural)) return { reason: 'PluralConflict', message: inUse(names.plural) };
  if (names.singular && used.resources.has(names.singular)) return { reason: 'SingularConflict', message: inUse(names.singular) };
  for (const s of names.shortNames ?? []) if (used.resources.has(s)) return { reason: 'ShortNamesConflict', message: inUse(s) };
  if (names.kind && used.kinds.has(names.kind)) return { reason: 'KindConflict', message: inUse(names.kind) };
  if (names.listKind && used.kinds.has(names.listKind)) return { reason: 'ListKindConflict', message: inUse(names.listKind) };
  return undefined;
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
  const conflict = findConflict(names, usedNames(spec.group ?? '', others, crd.metadata?.name));
  let conds = [...(crd.status?.conditions ?? [])];
  let acceptedNames = crd.status?.acceptedNames ?? {};
  if (conflict) {
    conds = setCondition(conds, { type: 'NamesAccepted', status: 'False', ...conflict }, now);
  } else {
    acceptedNames = structuredClone(names);
    conds = setCondition(conds, { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }, now);
  }
  const established = conds.find((c) => c.type === 'Established' && c.status === 'True');
  if (!established) {
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
