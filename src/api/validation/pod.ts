// ValidatePodCreate / ValidatePodUpdate / ValidatePodStatusUpdate.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { ContainerStatus, Pod, PodSpec } from '../core.js';
import { semanticEqual } from './equality.js';
import { is4, isValidIP, parseIPSloppy } from './ip.js';
import { inclusiveRangeError } from './messages.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';
import { validatePodSpec, validateTolerations } from './podspec.js';

const MaxInt32 = 2147483647;

const updatablePodSpecFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function validatePodMetadataAndSpec(pod: Pod): FieldError[] {
  const spec = Path.root('spec');
  const errs = validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain, Path.root('metadata'));
  errs.push(...validatePodSpec(pod.spec, spec, true));
  // Pods (not templates) may not carry an image padded with spaces.
  for (const [key, list] of [['containers', pod.spec?.containers], ['initContainers', pod.spec?.initContainers]] as const) {
    (list ?? []).forEach((c, i) => {
      if (c.image && c.image.trim() !== c.image) {
        errs.push(fieldErr.invalid(spec.child(key).index(i).child('image'), c.image, 'must not have leading or trailing whitespace'));
      }
    });
  }
  return errs;
}

export function validatePodCreate(pod: Pod): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod);
  if (((pod.spec?.['ephemeralContainers'] as unknown[] | undefined) ?? []).length > 0) {
    errs.push(fieldErr.forbidden(Path.root('spec', 'ephemeralContainers'), 'cannot be set on create'));
  }
  return errs;
}

function validateContainerUpdates(n: PodSpec['containers'] | undefined, o: PodSpec['containers'] | undefined, path: Path): { errs: FieldError[]; stop: boolean } {
  const nl = n ?? [];
  const ol = o ?? [];
  if (nl.length !== ol.length) return { errs: [fieldErr.forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  nl.forEach((c, i) => {
    if (!c.image) errs.push(fieldErr.required(path.index(i).child('image'), ''));
    if (c.image && c.image.trim() !== c.image) errs.push(fieldErr.invalid(path.index(i).child('image'), c.image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

/** A readable stand-in for Go's cmp.Diff: one `-old`/`+new` pair per differing leaf. */
export function describeDiff(a: unknown, b: unknown, at = 'spec'): string[] {
  if (semanticEqual(a, b)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object';
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => describeDiff(a[k], b[k], Array.isArray(a) ? `${at}[${k}]` : `${at}.${k}`));
  }
  return [`- ${at}: ${JSON.stringify(a ?? null)}`, `+ ${at}: ${JSON.stringify(b ?? null)}`];
}

function onlyAddedTolerations(n: unknown[] | undefined, o: unknown[] | undefined, path: Path): FieldError[] {
  for (const old of (o ?? []) as Record<string, unknown>[]) {
    const found = ((n ?? []) as Record<string, unknown>[]).some((t) => semanticEqual({ ...old, tolerationSeconds: t['tolerationSeconds'] }, t));
    if (!found) return [fieldErr.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(n, path);
}

export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validatePodMetadataAndSpec(pod));
  const specPath = Path.root('spec');
  const ns = pod.spec ?? ({ containers: [] } as PodSpec);
  const os = old.spec ?? ({ containers: [] } as PodSpec);
  for (const key of ['containers', 'initContainers'] as const) {
    const r = validateContainerUpdates(ns[key], os[key], specPath.child(key));
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const nad = ns.activeDeadlineSeconds;
  const oad = os.activeDeadlineSeconds;
  if (nad !== undefined && nad !== null) {
    if (nad < 0 || nad > MaxInt32) {
      errs.push(fieldErr.invalid(specPath.child('activeDeadlineSeconds'), nad, inclusiveRangeError(0, MaxInt32)));
      return errs;
    }
    if (oad !== undefined && oad !== null && oad < nad) {
      errs.push(fieldErr.invalid(specPath.child('activeDeadlineSeconds'), nad, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (oad !== undefined && oad !== null) {
    errs.push(fieldErr.invalid(specPath.child('activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...onlyAddedTolerations(ns.tolerations, os.tolerations, specPath.child('tolerations')));
  if (semanticEqual(ns, os)) return errs;

  // Overwrite what may change with the old values; anything still different is forbidden.
  const munged = structuredClone(ns);
  munged.containers = (munged.containers ?? []).map((c, i) => ({ ...c, image: os.containers?.[i]?.image }));
  if (munged.initContainers) munged.initContainers = munged.initContainers.map((c, i) => ({ ...c, image: os.initContainers?.[i]?.image }));
  if (oad === undefined || oad === null) delete munged.activeDeadlineSeconds;
  else munged.activeDeadlineSeconds = oad;
  if (os.tolerations === undefined) delete munged.tolerations;
  else munged.tolerations = os.tolerations;
  if (munged['schedulingGates'] !== undefined || os['schedulingGates'] !== undefined) munged['schedulingGates'] = os['schedulingGates'];
  if ((os.terminationGracePeriodSeconds ?? 0) < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = os.terminationGracePeriodSeconds;
  }
  if (!semanticEqual(munged, os)) {
    const diff = describeDiff(os, munged).join('\n');
    errs.push(fieldErr.forbidden(specPath, `pod updates may not change fields other than ${updatablePodSpecFields.join(',')}\n${diff}`));
  }
  return errs;
}

function validateContainerStateTransition(n: ContainerStatus[] | undefined, o: ContainerStatus[] | undefined, path: Path, restartPolicy: string | undefined): FieldError[] {
  // Containers that always restart may leave the terminated state.
  if (restartPolicy === 'Always') return [];
  const errs: FieldError[] = [];
  (o ?? []).forEach((os, i) => {
    const term = os.state?.terminated;
    if (!term) return;
    if (term.exitCode !== 0 && restartPolicy === 'OnFailure') return;
    for (const ns of n ?? []) {
      if (ns.name === os.name && !ns.state?.terminated) {
        errs.push(fieldErr.forbidden(path.index(i).child('state'), 'may not be transitioned to non-terminated state'));
      }
    }
  });
  return errs;
}

function validateIPList(ips: { ip: string }[] | undefined, path: Path): FieldError[] {
  // A required `ip` left out (or null) is Go's zero value, "", which is not an IP.
  const list = (ips ?? []).map((p) => ({ ...p, ip: p.ip ?? '' }));
  const errs: FieldError[] = [];
  list.forEach((p, i) => errs.push(...isValidIP(path.index(i), p.ip)));
  if (list.length > 1 && errs.length === 0) {
    const v4 = list.filter((p) => is4(parseIPSloppy(p.ip)!)).length;
    if (v4 === 0 || v4 === list.length || list.length > 2) {
      errs.push(fieldErr.invalid(path, list, 'may specify no more than one IP for each IP family'));
    }
    const seen = new Set<string>();
    list.forEach((p, i) => {
      if (seen.has(p.ip)) errs.push(fieldErr.duplicate(path.index(i), p));
      seen.add(p.ip);
    });
  }
  return errs;
}

export function validatePodStatusUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata, Path.root('metadata'));
  const st = Path.root('status');
  // Binding is the only way to set nodeName; upstream words the path as status.nodeName.
  if ((pod.spec?.nodeName ?? '') !== (old.spec?.nodeName ?? '')) errs.push(fieldErr.forbidden(st.child('nodeName'), 'may not be changed directly'));
  errs.push(...validateImmutableField(pod.status?.qosClass, old.status?.qosClass, st.child('qosClass')));
  errs.push(...validateContainerStateTransition(pod.status?.containerStatuses, old.status?.containerStatuses, st.child('containerStatuses'), old.spec?.restartPolicy));
  errs.push(...validateContainerStateTransition(pod.status?.initContainerStatuses, old.status?.initContainerStatuses, st.child('initContainerStatuses'), old.spec?.restartPolicy));
  errs.push(...validateIPList(pod.status?.podIPs, st.child('podIPs')));
  const hostIPs = pod.status?.hostIPs ?? [];
  if (hostIPs.length > 0) {
    if ((pod.status?.hostIP ?? '') !== (hostIPs[0]!.ip ?? '')) {
      errs.push(fieldErr.invalid(st.child('hostIPs').index(0).child('ip'), hostIPs[0]!.ip ?? '', 'must be equal to `hostIP`'));
    }
    errs.push(...validateIPList(hostIPs, st.child('hostIPs')));
  }
  return errs;
}
