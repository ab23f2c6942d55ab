// The autoscaling/v1 Scale subresource (what `kubectl scale` uses): spec.replicas of Deployments and
// ReplicaSets, or the paths a CRD's subresources.scale names.
import type { KubeObject, LabelSelector } from '../../api/meta.js';
import { errors } from '../../machinery/status.js';
import { selectorString } from '../store/selectors.js';
import { definitionNameFor } from '../../api/schema/index.js';
import type { ScalePaths } from '../resources.js';

export interface Scale {
  kind: 'Scale';
  apiVersion: 'autoscaling/v1';
  metadata: Record<string, unknown>;
  spec: { replicas: number };
  status: { replicas: number; selector?: string };
}

/** The value at a JSON path (".spec.replicas"), undefined when any step is missing. */
function at(o: unknown, path: string): unknown {
  let cur = o;
  for (const f of path.replace(/^\./, '').split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[f];
  }
  return cur;
}

function setAt(o: unknown, path: string, v: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = o as Record<string, unknown>;
  for (const f of parts.slice(0, -1)) {
    if (cur[f] === null || typeof cur[f] !== 'object' || Array.isArray(cur[f])) cur[f] = {};
    cur = cur[f] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = v;
}

/** A custom resource's Scale, read at the paths its CRD names (apiextensions' scale REST). */
function customScaleOf(o: KubeObject, paths: ScalePaths): { spec: number; status: number; selector?: string } {
  const num = (p: string | undefined) => {
    const v = p ? at(o, p) : undefined;
    return typeof v === 'number' ? v : 0;
  };
  const sel = paths.labelSelectorPath ? at(o, paths.labelSelectorPath) : undefined;
  return { spec: num(paths.specReplicasPath), status: num(paths.statusReplicasPath), ...(typeof sel === 'string' ? { selector: sel } : {}) };
}

export function scaleOf(o: KubeObject, paths?: ScalePaths): Scale {
  const m = o.metadata;
  const metadata = { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp };
  if (paths) {
    const c = customScaleOf(o, paths);
    return { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata, spec: { replicas: c.spec }, status: { replicas: c.status, ...(c.selector !== undefined ? { selector: c.selector } : {}) } };
  }
  const spec = (o.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
  const status = (o.status ?? {}) as { replicas?: number };
  const s: Scale = { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata, spec: { replicas: spec.replicas ?? 0 }, status: { replicas: status.replicas ?? 0 } };
  if (spec.selector) s.status.selector = selectorString(spec.selector);
  return s;
}

/** Writes a Scale's spec.replicas into the object; a pinned resourceVersion must still match. */
export function applyScale(current: KubeObject, scaleIn: unknown, paths?: ScalePaths): KubeObject {
  const scale = scaleIn as Partial<Scale> | null;
  const replicas = scale?.spec?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
    throw errors.invalid('autoscaling', 'Scale', current.metadata.name ?? '', [
      { type: 'FieldValueRequired', field: 'spec.replicas', badValue: '', detail: '' },
    ]);
  }
  if (replicas < 0) {
    throw errors.invalid('autoscaling', 'Scale', current.metadata.name ?? '', [
      { type: 'FieldValueInvalid', field: 'spec.replicas', badValue: replicas, detail: 'must be greater than or equal to 0' },
    ]);
  }
  const rv = (scale?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
  const out = current;
  if (paths?.specReplicasPath) setAt(out, paths.specReplicasPath, replicas);
  else (out.spec as { replicas?: number }).replicas = replicas;
  if (rv) out.metadata.resourceVersion = rv;
  return out;
}

/**
 * A Scale PUT body must be an autoscaling/v1 Scale. Upstream decodes it into the internal
 * autoscaling.Scale: another registered kind decodes, then fails the scheme's conversion
 * (apimachinery conversion/converter.go: "converting (%s) to (%s): unknown conversion"), an
 * unregistered one fails the decoder; transformDecodeError (apiserver endpoints/handlers/rest.go)
 * answers either as 400 "<Kind> in version "<v>" cannot be handled as a Scale: ...". A missing
 * apiVersion or kind is taken from the endpoint's (autoscaling/v1, Scale), as the serializer does.
 */
export function checkScaleBodyKind(body: Record<string, unknown>): void {
  const apiVersion = typeof body.apiVersion === 'string' && body.apiVersion ? body.apiVersion : 'autoscaling/v1';
  const kind = typeof body.kind === 'string' && body.kind ? body.kind : 'Scale';
  if (apiVersion === 'autoscaling/v1' && kind === 'Scale') return;
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const cause = definitionNameFor({ group, version, kind })
    // Go prints the decoded type by its package name, which is the version (v1.Deployment).
    ? `converting (${version}.${kind}) to (autoscaling.Scale): unknown conversion`
    : `no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)} in scheme "pkg/api/legacyscheme/scheme.go:30"`;
  throw errors.badRequest(`${kind} in version ${JSON.stringify(version)} cannot be handled as a Scale: ${cause}`);
}
