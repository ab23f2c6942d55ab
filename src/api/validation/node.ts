// ValidateNode / ValidateNodeUpdate (also used for node status updates, as upstream does).
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { Node } from '../core.js';
import { isValidCIDR, parseCIDRSloppy } from './ip.js';
import { validateLabelName } from './labels.js';
import { isValidLabelValue, nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';
import { semanticEqual } from './equality.js';

interface Taint {
  key?: string;
  value?: string;
  effect?: string;
}

// Upstream passes the metadata path here, so taint errors read `metadata.taints[i]...`.
function validateNodeTaints(taints: unknown[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Map<string, Set<string>>();
  ((taints ?? []) as Taint[]).forEach((t, i) => {
    const p = path.index(i);
    errs.push(...validateLabelName(t.key ?? '', p.child('key')));
    const msgs = isValidLabelValue(t.value ?? '');
    if (msgs.length) errs.push(fieldErr.invalid(p.child('value'), t.value ?? '', msgs.join(';')));
    const effect = t.effect ?? '';
    if (!effect) errs.push(fieldErr.required(p.child('effect'), ''));
    else if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) {
      errs.push(fieldErr.notSupported(p.child('effect'), effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
    const keys = seen.get(effect) ?? new Set<string>();
    if (keys.has(t.key ?? '')) {
      errs.push({ ...fieldErr.duplicate(p, t), detail: 'taints must be unique by key and effect pair' });
      return;
    }
    keys.add(t.key ?? '');
    seen.set(effect, keys);
  });
  return errs;
}

function validatePodCIDRs(node: Node): FieldError[] {
  const cidrs = node.spec?.podCIDRs ?? [];
  if (cidrs.length === 0) return [];
  const path = Path.root('spec', 'podCIDRs');
  const errs: FieldError[] = [];
  cidrs.forEach((c, i) => errs.push(...isValidCIDR(path.index(i), c)));
  if (cidrs.length > 1 && errs.length === 0) {
    const v4 = cidrs.filter((c) => parseCIDRSloppy(c)!.v4).length;
    if (v4 === 0 || v4 === cidrs.length || cidrs.length > 2) {
      errs.push(fieldErr.invalid(path, cidrs, 'may specify no more than one CIDR for each IP family'));
    }
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(fieldErr.duplicate(path.index(i), c));
      seen.add(c);
    });
  }
  return errs;
}

export function validateNode(node: Node): FieldError[] {
  const meta = Path.root('metadata');
  const errs = validateObjectMeta(node.metadata, false, nameIsDNSSubdomain, meta);
  errs.push(...validateNodeTaints(node.spec?.taints, meta.child('taints')));
  errs.push(...validatePodCIDRs(node));
  return errs;
}

export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const meta = Path.root('metadata');
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata, meta);
  const addrs = node.status?.addresses ?? [];
  addrs.forEach((a, i) => {
    if (addrs.slice(0, i).some((b) => semanticEqual(a, b))) errs.push(fieldErr.duplicate(Path.root('status', 'addresses').index(i), a));
  });
  // The node IPAM controller may assign podCIDRs once; after that they are fixed.
  const oldCIDRs = old.spec?.podCIDRs ?? [];
  const newCIDRs = node.spec?.podCIDRs ?? [];
  const msg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCIDRs.length > 0) {
    if (oldCIDRs.length !== newCIDRs.length) errs.push(fieldErr.forbidden(Path.root('spec', 'podCIDRs'), msg));
    else oldCIDRs.forEach((c, i) => c !== newCIDRs[i] && errs.push(fieldErr.forbidden(Path.root('spec', 'podCIDRs'), msg)));
  }
  if (old.spec?.providerID && old.spec.providerID !== node.spec?.providerID) {
    errs.push(fieldErr.forbidden(Path.root('spec', 'providerID'), 'node updates may not change providerID except from "" to valid'));
  }
  errs.push(...validateNodeTaints(node.spec?.taints, meta.child('taints')));
  return errs;
}
