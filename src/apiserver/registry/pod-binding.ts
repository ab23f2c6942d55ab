// The pods/binding subresource (upstream's BindingREST): POST a v1 Binding {target: {name}} to
// /api/v1/namespaces/<ns>/pods/<name>/binding and the pod's spec.nodeName is set, once. This is the
// only way to set nodeName: pod update validation forbids changing it (validatePodUpdate's
// "pod updates may not change fields other than ..."), so, as upstream's assignPod does, the
// binding writes storage directly instead of going through the update strategy.
import type { Pod } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import { fieldErr, Path } from '../../machinery/field.js';
import { errors } from '../../machinery/status.js';
import { KeyNotFoundError, RevisionMismatchError } from '../../storage/backend.js';
import { decodeTypedField } from '../../api/schema/index.js';
import type { Store } from '../store/store.js';
import type { SubresourceREST } from './entry.js';
import { metaTime } from '../../machinery/time.js';

const gr = { group: '', resource: 'pods/binding' };

export interface Binding {
  metadata?: { name?: string; uid?: string; resourceVersion?: string; annotations?: Record<string, string> };
  target?: { kind?: string; name?: string };
}

function validateBinding(b: Binding, name: string): void {
  const errs = [];
  const kind = b.target?.kind ?? '';
  if (kind !== '' && kind !== 'Node') errs.push(fieldErr.notSupported(Path.root('target').child('kind'), kind, ['Node']));
  if (!b.target?.name) errs.push(fieldErr.required(Path.root('target').child('name'), ''));
  if (errs.length) throw errors.invalid('', 'Binding', name, errs);
}

/**
 * A Binding's metadata and target decoded as upstream's decoder fills them (400 on a wrong type),
 * so that nodeName and the annotations the pod receives are strings.
 */
function decodeBinding(b: Binding): Binding {
  const out: Binding = { ...b };
  const parts = [
    ['metadata', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'],
    ['target', 'io.k8s.api.core.v1.ObjectReference'],
  ] as const;
  for (const [field, def] of parts) {
    const r = decodeTypedField('Binding', field, def, b[field]);
    if (r.error !== undefined) throw errors.badRequest(`Binding in version "v1" cannot be handled as a Binding: ${r.error}`);
    if (r.value === null || r.value === undefined) delete out[field];
    else out[field] = r.value as never;
  }
  return out;
}

/** setPodHostAndAnnotations: nodeName, the binding's annotations, PodScheduled=True; conflicts as upstream. */
export async function bindPod(store: Store, namespace: string | undefined, name: string, body: Binding): Promise<void> {
  const binding = decodeBinding(body);
  validateBinding(binding, name);
  const nodeName = binding.target!.name!;
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await store.find(namespace, name);
    if (!current) throw errors.notFound({ group: '', resource: 'pods' }, name);
    const pod = current.mutable() as Pod;
    const uid = binding.metadata?.uid;
    if (uid && pod.metadata.uid !== uid) {
      throw errors.conflict(gr, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid ?? ''}`);
    }
    const rv = binding.metadata?.resourceVersion;
    if (rv && rv !== String(current.revision)) throw errors.modified(gr, name);
    if (pod.metadata.deletionTimestamp) throw errors.conflict(gr, name, `pod ${name} is being deleted, cannot be assigned to a host`);
    if (pod.spec.nodeName) throw errors.conflict(gr, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    pod.spec.nodeName = nodeName;
    if (binding.metadata?.annotations) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...binding.metadata.annotations };
    const conds = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: metaTime() });
    pod.status = { ...(pod.status ?? {}), conditions: conds };
    try {
      await store.writeAt(namespace, name, current.revision, pod);
      return;
    } catch (e) {
      if (e instanceof RevisionMismatchError && !rv) continue;
      if (e instanceof RevisionMismatchError) throw errors.modified(gr, name);
      if (e instanceof KeyNotFoundError) throw errors.notFound({ group: '', resource: 'pods' }, name);
      throw e;
    }
  }
  throw errors.modified(gr, name);
}

/**
 * pods/binding as the HTTP handler and the in-process client both run it: the body is a Binding
 * for the pod on the path; the answer is upstream's 201 Success Status.
 */
export function bindingREST(store: Store): SubresourceREST {
  return {
    async create(_ctx, namespace, name, body) {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest("Object 'Kind' is missing");
      const b = body as Binding;
      if (b.metadata?.name && b.metadata.name !== name) {
        throw errors.badRequest(`the name of the object (${b.metadata.name}) does not match the name on the URL (${name})`);
      }
      await bindPod(store, namespace, name, b);
      return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } as KubeObject;
    },
  };
}
