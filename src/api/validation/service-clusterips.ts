// clusterIP / clusterIPs / ipFamilies / ipFamilyPolicy consistency, and what an update may
// change (upgrade to dual-stack, downgrade to single-stack, never the primary).
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { Service } from '../core.js';
import { isIPv6String, isValidIP, parseIPSloppy, is4 } from './ip.js';
import { ClusterIPNone, isHeadlessService } from './service-helpers.js';

const supportedIPFamilies = ['IPv4', 'IPv6'] as const;
const supportedIPFamilyPolicies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'] as const;

export function validateServiceClusterIPsRelatedFields(svc: Service): FieldError[] {
  const spec = svc.spec ?? {};
  // ExternalName has its own rule (all of these must be unset), checked earlier.
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const specPath = Path.root('spec');
  const clusterIPsPath = specPath.child('clusterIPs');
  const ipFamiliesPath = specPath.child('ipFamilies');
  const clusterIP = spec.clusterIP ?? '';
  const clusterIPs = spec.clusterIPs ?? [];
  const families = spec.ipFamilies ?? [];

  if (clusterIP.length !== 0) {
    if (clusterIPs.length === 0) errs.push(fieldErr.required(clusterIPsPath, ''));
    else if (clusterIPs[0] !== clusterIP) errs.push(fieldErr.invalid(clusterIPsPath, clusterIPs, 'first value must match `clusterIP`'));
  } else if (clusterIPs.length !== 0) {
    errs.push(fieldErr.invalid(clusterIPsPath, clusterIPs, 'must be empty when `clusterIP` is not specified'));
  }

  const seen = new Set<string>();
  families.forEach((f, i) => {
    if (!(supportedIPFamilies as readonly string[]).includes(f)) {
      errs.push(fieldErr.notSupported(ipFamiliesPath.index(i), f, supportedIPFamilies));
    }
    if (seen.has(f)) errs.push(fieldErr.duplicate(ipFamiliesPath.index(i), f));
    seen.add(f);
  });

  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) {
    if (!(supportedIPFamilyPolicies as readonly string[]).includes(spec.ipFamilyPolicy)) {
      errs.push(fieldErr.notSupported(specPath.child('ipFamilyPolicy'), spec.ipFamilyPolicy, supportedIPFamilyPolicies));
    }
  }

  let hasInvalidIPs = false;
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === ClusterIPNone) {
      if (clusterIPs.length > 1) {
        hasInvalidIPs = true;
        errs.push(fieldErr.invalid(clusterIPsPath, clusterIPs, "'None' must be the first and only value"));
      }
      return;
    }
    const e = isValidIP(clusterIPsPath.index(i), ip);
    if (e.length) hasInvalidIPs = true;
    errs.push(...e);
  });
  if (clusterIPs.length > 2) errs.push(fieldErr.invalid(clusterIPsPath, clusterIPs, 'may only hold up to 2 values'));
  // Bad addresses would make the family checks below report nonsense, so stop here.
  if (hasInvalidIPs) return errs;

  if (clusterIPs.length > 1) {
    const v4 = clusterIPs.filter((ip) => is4(parseIPSloppy(ip)!)).length;
    const dualStack = v4 >= 1 && clusterIPs.length - v4 >= 1;
    if (!dualStack) errs.push(fieldErr.invalid(clusterIPsPath, clusterIPs, 'may specify no more than one IP for each IP family'));
  }

  if (!isHeadlessService(svc) && clusterIPs.length > 0 && families.length > 0) {
    clusterIPs.forEach((ip, i) => {
      if (i > families.length - 1) return;
      if (families[i] === 'IPv4' && isIPv6String(ip)) {
        errs.push(fieldErr.invalid(clusterIPsPath.index(i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      }
      if (families[i] === 'IPv6' && !isIPv6String(ip)) {
        errs.push(fieldErr.invalid(clusterIPsPath.index(i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
      }
    });
  }
  return errs;
}

/** The primary clusterIP never changes; the secondary may be added, or released with SingleStack. */
export function validateUpgradeDowngradeClusterIPs(old: Service, svc: Service): FieldError[] {
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return [];
  if (isHeadlessService(old) && isHeadlessService(svc)) return [];
  const errs: FieldError[] = [];
  const path = Path.root('spec', 'clusterIPs');
  const oldIPs = old.spec?.clusterIPs ?? [];
  const newIPs = svc.spec?.clusterIPs ?? [];
  if (oldIPs.length === newIPs.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== newIPs[i]) errs.push(fieldErr.invalid(path.index(i), newIPs, 'may not change once set'));
    });
  } else if (oldIPs.length > newIPs.length) {
    if (newIPs.length === 0) errs.push(fieldErr.invalid(path.index(0), newIPs, 'primary clusterIP can not be unset'));
    if (oldIPs.length > 0 && newIPs.length > 0 && newIPs[0] !== oldIPs[0]) {
      errs.push(fieldErr.invalid(path.index(0), newIPs, 'may not change once set'));
    }
    if (newIPs.length === 1 && svc.spec?.ipFamilyPolicy !== 'SingleStack') {
      errs.push(
        fieldErr.invalid(
          Path.root('spec', 'ipFamilyPolicy'),
          svc.spec?.ipFamilyPolicy ?? null,
          "must be set to 'SingleStack' when releasing the secondary clusterIP",
        ),
      );
    }
  } else if (oldIPs.length > 0 && newIPs[0] !== oldIPs[0]) {
    errs.push(fieldErr.invalid(path.index(0), newIPs, 'may not change once set'));
  }
  return errs;
}

/** Same for ipFamilies; headless Services (or changes to/from headless) may change families. */
export function validateUpgradeDowngradeIPFamilies(old: Service, svc: Service): FieldError[] {
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return [];
  if (isHeadlessService(svc) !== isHeadlessService(old) || isHeadlessService(svc)) return [];
  const errs: FieldError[] = [];
  const path = Path.root('spec', 'ipFamilies');
  const oldF = old.spec?.ipFamilies ?? [];
  const newF = svc.spec?.ipFamilies ?? [];
  const newIPs = svc.spec?.clusterIPs ?? [];
  if (oldF.length === newF.length) {
    oldF.forEach((f, i) => {
      if (f !== newF[i]) errs.push(fieldErr.invalid(path.index(0), newF, 'may not change once set'));
    });
  } else if (oldF.length > newF.length) {
    // Upstream decides "unset" from clusterIPs, not ipFamilies; kept so the same updates pass.
    if (newIPs.length === 0) errs.push(fieldErr.invalid(path.index(0), newF, 'primary ipFamily can not be unset'));
    if (newF.length > 0 && newF[0] !== oldF[0]) errs.push(fieldErr.invalid(path.index(0), newIPs, 'may not change once set'));
    if (newF.length === 1 && svc.spec?.ipFamilyPolicy !== 'SingleStack') {
      errs.push(
        fieldErr.invalid(
          Path.root('spec', 'ipFamilyPolicy'),
          svc.spec?.ipFamilyPolicy ?? null,
          "must be set to 'SingleStack' when releasing the secondary ipFamily",
        ),
      );
    }
  } else if (oldF.length > 0 && newF.length > 0 && newF[0] !== oldF[0]) {
    errs.push(fieldErr.invalid(path.index(0), newIPs, 'may not change once set'));
  }
  return errs;
}

function sameClusterIPs(a: Service, b: Service): boolean {
  const x = a.spec?.clusterIPs ?? [];
  const y = b.spec?.clusterIPs ?? [];
  return x.length === y.length && x.every((ip, i) => ip === y[i]);
}

/**
 * NormalizeClusterIPs (registry strategy): keeps the singular and plural fields in step for
 * clients that only know `clusterIP`. Mutates `svc`; `old` is undefined on create.
 */
export function normalizeClusterIPs(old: Service | undefined, svc: Service): void {
  const spec = (svc.spec ??= {});
  if (!old) {
    if (spec.clusterIP && (spec.clusterIPs ?? []).length === 0) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  const oldSpec = old.spec ?? {};
  if ((oldSpec.clusterIPs ?? []).length > 0 && (spec.clusterIPs ?? []).length === 0) {
    // An old client patching another field did not send clusterIPs.
    if ((oldSpec.clusterIP ?? '') === (spec.clusterIP ?? '')) spec.clusterIPs = [...(oldSpec.clusterIPs ?? [])];
  }
  if ((oldSpec.clusterIP ?? '') !== (spec.clusterIP ?? '')) {
    if (oldSpec.clusterIP && !spec.clusterIP) {
      if (sameClusterIPs(old, svc)) delete spec.clusterIPs;
    } else if (sameClusterIPs(old, svc)) {
      spec.clusterIPs = [spec.clusterIP ?? ''];
    }
  }
}
