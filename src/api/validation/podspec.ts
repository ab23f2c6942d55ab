// ValidatePodSpec and ValidatePodTemplateSpec: the parts of a Pod shared with workload templates.
import { fieldErr, type FieldError, type Path } from '../../machinery/field.js';
import type { PodSpec, PodTemplateSpec } from '../core.js';
import { validateContainers, validateInitContainers } from './container.js';
import { validateVolumeMounts, validateVolumes } from './volumes.js';
import { isValidIP } from './ip.js';
import { validateAnnotations, validateLabelName, validateLabels } from './labels.js';
import { inclusiveRangeError } from './messages.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidLabelValue, nameIsDNSSubdomain } from './names.js';

const MaxDNSNameservers = 3;
const MaxDNSSearchPaths = 32;
const MaxDNSSearchListChars = 2048;
const MaxInt32 = 2147483647;

function validateRestartPolicy(p: string | undefined, path: Path): FieldError[] {
  const v = p ?? '';
  if (v === 'Always' || v === 'OnFailure' || v === 'Never') return [];
  if (v === '') return [fieldErr.required(path, '')];
  return [fieldErr.notSupported(path, v, ['Always', 'OnFailure', 'Never'])];
}

function validateDNSPolicy(p: string | undefined, path: Path): FieldError[] {
  const valid = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  const v = p ?? '';
  if (valid.includes(v)) return [];
  if (v === '') return [fieldErr.required(path, '')];
  return [fieldErr.notSupported(path, v, valid)];
}

function validateDNSConfig(spec: PodSpec, path: Path): FieldError[] {
  const cfg = spec.dnsConfig;
  if (spec.dnsPolicy === 'None') {
    if (!cfg) return [fieldErr.required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if ((cfg.nameservers ?? []).length === 0) {
      return [fieldErr.required(path.child('nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
    }
  }
  if (!cfg) return [];
  const errs: FieldError[] = [];
  const ns = cfg.nameservers ?? [];
  if (ns.length > MaxDNSNameservers) errs.push(fieldErr.invalid(path.child('nameservers'), ns, `must not have more than ${MaxDNSNameservers} nameservers`));
  ns.forEach((n, i) => errs.push(...isValidIP(path.child('nameservers').index(i), n)));
  const searches = cfg.searches ?? [];
  if (searches.length > MaxDNSSearchPaths) errs.push(fieldErr.invalid(path.child('searches'), searches, `must not have more than ${MaxDNSSearchPaths} search paths`));
  if (searches.join(' ').length > MaxDNSSearchListChars) {
    errs.push(fieldErr.invalid(path.child('searches'), searches, `must not have more than ${MaxDNSSearchListChars} characters (including spaces) in the search list`));
  }
  searches.forEach((s, i) => {
    const v = s.replace(/\.$/, '');
    for (const m of isDNS1123Subdomain(v)) errs.push(fieldErr.invalid(path.child('searches').index(i), v, m));
  });
  (cfg.options ?? []).forEach((o, i) => {
    if (!o.name) errs.push(fieldErr.required(path.child('options').index(i), 'must not be empty'));
  });
  return errs;
}

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export function validateTolerations(tolerations: unknown[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations as Toleration[] | undefined ?? []).forEach((t, i) => {
    const p = path.index(i);
    if (t.key) errs.push(...validateLabelName(t.key, p.child('key')));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(fieldErr.invalid(p.child('operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(fieldErr.invalid(p.child('effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(t.value ?? '');
        if (msgs.length) errs.push(fieldErr.invalid(p.child('operator'), t.value ?? '', msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(fieldErr.invalid(p.child('operator'), t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(fieldErr.notSupported(p.child('operator'), t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
      errs.push(fieldErr.notSupported(p.child('effect'), t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
  });
  return errs;
}

/** `resourceIsPod`: a Pod must list hostPort == containerPort under hostNetwork; a template may leave 0. */
export function validatePodSpec(spec: PodSpec | undefined, path: Path, resourceIsPod: boolean): FieldError[] {
  const s = spec ?? ({ containers: [] } as PodSpec);
  const errs: FieldError[] = [];
  if (s.terminationGracePeriodSeconds === undefined || s.terminationGracePeriodSeconds === null) {
    errs.push(fieldErr.required(path.child('terminationGracePeriodSeconds'), ''));
  }
  const volumes = validateVolumes(s.volumes, path.child('volumes'));
  errs.push(...volumes.errs);
  errs.push(...validateContainers(s.containers, path.child('containers')));
  errs.push(...validateInitContainers(s.initContainers, s.containers, path.child('initContainers')));
  for (const [field, list] of [['initContainers', s.initContainers], ['containers', s.containers]] as const) {
    (list ?? []).forEach((c, i) => errs.push(...validateVolumeMounts(c, volumes.names, path.child(field).index(i).child('volumeMounts'))));
  }
  if (s.hostNetwork) {
    (s.containers ?? []).forEach((c, ci) => {
      (c.ports ?? []).forEach((p, pi) => {
        const hp = p.hostPort ?? 0;
        if ((resourceIsPod || hp !== 0) && hp !== p.containerPort) {
          errs.push(
            fieldErr.invalid(path.child('containers').index(ci).child('ports').index(pi).child('hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'),
          );
        }
      });
    });
  }
  errs.push(...validateRestartPolicy(s.restartPolicy, path.child('restartPolicy')));
  errs.push(...validateDNSPolicy(s.dnsPolicy, path.child('dnsPolicy')));
  errs.push(...validateLabels(s.nodeSelector, path.child('nodeSelector')));
  errs.push(...validateDNSConfig(s, path.child('dnsConfig')));
  errs.push(...validateHostAliases(s['hostAliases'], path.child('hostAliases')));
  if (s.serviceAccountName) {
    for (const m of nameIsDNSSubdomain(s.serviceAccountName, false)) errs.push(fieldErr.invalid(path.child('serviceAccountName'), s.serviceAccountName, m));
  }
  if (s.nodeName) for (const m of nameIsDNSSubdomain(s.nodeName, false)) errs.push(fieldErr.invalid(path.child('nodeName'), s.nodeName, m));
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null) {
    const v = s.activeDeadlineSeconds;
    if (v < 1 || v > MaxInt32) errs.push(fieldErr.invalid(path.child('activeDeadlineSeconds'), v, inclusiveRangeError(1, MaxInt32)));
  }
  if (s.hostname) for (const m of isDNS1123Label(s.hostname)) errs.push(fieldErr.invalid(path.child('hostname'), s.hostname, m));
  if (s.subdomain) for (const m of isDNS1123Label(s.subdomain)) errs.push(fieldErr.invalid(path.child('subdomain'), s.subdomain, m));
  if ((s.tolerations ?? []).length > 0) errs.push(...validateTolerations(s.tolerations, path.child('tolerations')));
  return errs;
}

/** ValidatePodTemplateSpec: note upstream reports template labels at `template.labels`. */
export function validatePodTemplateSpec(t: PodTemplateSpec | undefined, path: Path): FieldError[] {
  const errs = validateLabels(t?.metadata?.labels, path.child('labels'));
  errs.push(...validateAnnotations(t?.metadata?.annotations, path.child('annotations')));
  errs.push(...validatePodSpec(t?.spec, path.child('spec'), false));
  if (((t?.spec?.['ephemeralContainers'] as unknown[] | undefined) ?? []).length > 0) {
    errs.push(fieldErr.forbidden(path.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

/** Upstream's ValidateHostAliases: each ip a valid IP, each hostname a DNS-1123 subdomain. */
function validateHostAliases(aliases: unknown, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(aliases)) return errs;
  aliases.forEach((a: { ip?: string; hostnames?: string[] } | null, i) => {
    const p = path.index(i);
    errs.push(...isValidIP(p.child('ip'), a?.ip ?? ''));
    (a?.hostnames ?? []).forEach((h, j) => {
      for (const m of isDNS1123Subdomain(h)) errs.push(fieldErr.invalid(p.child('hostnames').index(j), h, m));
    });
  });
  return errs;
}
