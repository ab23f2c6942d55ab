// Controller history (upstream's pkg/controller/history): the ControllerRevisions a StatefulSet or
// DaemonSet keeps. A revision holds a patch that restores the owner's pod template; its name is
// `<owner>-<hash of that patch>`, salted with the owner's collisionCount when two templates hash
// alike; its number orders the history, and re-applying an old template (a rollback) renumbers the
// old revision instead of writing a copy.
import type { ControllerRevision } from '../../api/apps.js';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { Client } from '../../client/client.js';
import { R } from '../../client/resources.js';
import { deepEqual } from '../../apiserver/store/deep-equal.js';
import { Fnv32a, safeEncodeString, writeCollisionCount } from '../common/hash.js';
import { isAlreadyExists } from '../common/errors.js';

/** The label pods and revisions carry: which revision a pod was made from. */
export const controllerRevisionHashLabel = 'controller-revision-hash';

/** ControllerRevisionName: the owner's name (cut so the result stays a valid name) and the hash. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

export function hashControllerRevision(data: unknown, collisionCount?: number): string {
  const h = new Fnv32a();
  h.write(Buffer.from(JSON.stringify(data ?? null), 'utf8'));
  writeCollisionCount(h, collisionCount);
  return safeEncodeString(String(h.sum32()));
}

/** NewControllerRevision: the template's labels plus the hash, controlled by the owner. */
export function newControllerRevision(
  owner: KubeObject,
  controllerRef: OwnerReference,
  templateLabels: Record<string, string> | undefined,
  data: unknown,
  revision: number,
  collisionCount: number | undefined,
): ControllerRevision {
  const hash = hashControllerRevision(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(owner.metadata.name ?? '', hash),
      namespace: owner.metadata.namespace,
      labels: { ...(templateLabels ?? {}), [controllerRevisionHashLabel]: hash },
      ...(owner.metadata.annotations ? { annotations: { ...owner.metadata.annotations } } : {}),
      ownerReferences: [controllerRef],
    },
    data,
    revision,
  };
}

/** Oldest first, ties by name (upstream's byRevision). */
export function sortControllerRevisions(revs: ControllerRevision[]): ControllerRevision[] {
  return revs.sort((a, b) => a.revision - b.revision || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
}

/** EqualRevision: the same restoring patch. */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  return deepEqual(a.data, b.data);
}

export function findEqualRevisions(revs: ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return revs.filter((r) => equalRevision(r, needle));
}

/** NextRevision: one more than the newest revision (1 for an empty history). */
export function nextRevision(sorted: ControllerRevision[]): number {
  return sorted.length === 0 ? 1 : sorted[sorted.length - 1]!.revision + 1;
}

/**
 * CreateControllerRevision: writes `rev`, and when its name is taken by a different revision
 * (a hash collision) bumps collisionCount and tries the next name. Returns the stored revision
 * and the collision count in effect. An identical revision already stored is simply returned.
 */
export async function createControllerRevision(
  client: Client,
  owner: KubeObject,
  rev: ControllerRevision,
  collisionCount: number,
): Promise<{ revision: ControllerRevision; collisionCount: number }> {
  let count = collisionCount;
  // Bounded: each round either succeeds, returns an equal revision, or moves to a fresh name.
  for (let attempt = 0; attempt < 100; attempt++) {
    const hash = hashControllerRevision(rev.data, count);
    const candidate: ControllerRevision = structuredClone(rev);
    candidate.metadata.name = controllerRevisionName(owner.metadata.name ?? '', hash);
    candidate.metadata.labels = { ...(candidate.metadata.labels ?? {}), [controllerRevisionHashLabel]: hash };
    try {
      const created = await client.create<ControllerRevision>(R.controllerrevisions, owner.metadata.namespace, candidate);
      return { revision: created, collisionCount: count };
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const existing = await client.get<ControllerRevision>(R.controllerrevisions, owner.metadata.namespace, candidate.metadata.name!);
      const ours = existing.metadata.ownerReferences?.some((r) => r.controller && r.uid === owner.metadata.uid);
      if (ours && equalRevision(existing, candidate)) return { revision: existing, collisionCount: count };
      count++;
    }
  }
  throw new Error(`no free ControllerRevision name for ${owner.metadata.namespace}/${owner.metadata.name}`);
}

/** UpdateControllerRevision: renumbers a revision (a rollback makes an old one the newest). */
export async function updateControllerRevision(client: Client, rev: ControllerRevision, revision: number): Promise<ControllerRevision> {
  if (rev.revision === revision) return rev;
  return client.update<ControllerRevision>(R.controllerrevisions, rev.metadata.namespace, { ...rev, revision });
}

/**
 * The revision an owner's current template maps to, creating or renumbering one as needed
 * (upstream's getStatefulSetRevisions / constructHistory, shared by both controllers):
 * the newest revision when nothing changed, an older equal one renumbered on rollback,
 * otherwise a new one.
 */
export async function ensureUpdateRevision(
  client: Client,
  owner: KubeObject,
  sorted: ControllerRevision[],
  wanted: ControllerRevision,
  collisionCount: number,
): Promise<{ revision: ControllerRevision; collisionCount: number }> {
  const equal = findEqualRevisions(sorted, wanted);
  const newest = sorted[sorted.length - 1];
  if (equal.length > 0) {
    const last = equal[equal.length - 1]!;
    if (newest && last.metadata.name === newest.metadata.name) return { revision: newest, collisionCount };
    return { revision: await updateControllerRevision(client, last, wanted.revision), collisionCount };
  }
  return createControllerRevision(client, owner, wanted, collisionCount);
}

/** truncateHistory: deletes the oldest revisions no live pod uses, keeping `limit` of them. */
export async function truncateHistory(client: Client, sorted: ControllerRevision[], inUse: Set<string>, limit: number): Promise<void> {
  const unused = sorted.filter((r) => !inUse.has(r.metadata.name ?? ''));
  const excess = unused.length - limit;
  for (let i = 0; i < excess; i++) {
    const r = unused[i]!;
    try {
      await client.delete(R.controllerrevisions, r.metadata.namespace, r.metadata.name ?? '');
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }
}

/**
 * The patch a revision stores (upstream's getPatch for StatefulSets and DaemonSets): the owner's
 * pod template under spec.template, marked `$patch: replace` so applying it (kubectl rollout undo
 * sends it as a strategic merge patch) restores the template exactly.
 */
export function templatePatch(template: unknown): unknown {
  return { spec: { template: { ...(structuredClone(template) as object), $patch: 'replace' } } };
}

/** The template a revision's patch restores. */
export function templateOfRevision<T>(rev: ControllerRevision): T | undefined {
  const t = (rev.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template;
  if (!t) return undefined;
  const { $patch: _p, ...rest } = t;
  return rest as T;
}

/**
 * The owner's history with its update revision settled (created or renumbered as needed), sorted
 * oldest first, and the collision count to record in the owner's status.
 */
export async function settleHistory(
  client: Client,
  owner: KubeObject,
  controllerRef: OwnerReference,
  revisions: ControllerRevision[],
  template: { metadata?: { labels?: Record<string, string> } },
  collisionCount: number,
): Promise<{ sorted: ControllerRevision[]; update: ControllerRevision; collisionCount: number }> {
  const sorted = sortControllerRevisions([...revisions]);
  const wanted = newControllerRevision(owner, controllerRef, template.metadata?.labels, templatePatch(template), nextRevision(sorted), collisionCount);
  const ensured = await ensureUpdateRevision(client, owner, sorted, wanted, collisionCount);
  const update = ensured.revision;
  const i = sorted.findIndex((r) => r.metadata.name === update.metadata.name);
  if (i >= 0) sorted.splice(i, 1, update);
  else sorted.push(update);
  return { sorted: sortControllerRevisions(sorted), update, collisionCount: ensured.collisionCount };
}
