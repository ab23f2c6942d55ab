// networking.k8s.io/v1 Ingress and IngressClass validation, rules and messages as upstream's
// pkg/apis/networking/validation (1.32): path rules per pathType, hosts (one wildcard label at
// most, never an IP), backends (a Service by name and port, or a resource, never both), TLS.
import { fieldErr, GoSyntax, Path, type FieldError } from '../../machinery/field.js';
import {
  AnnotationIngressClass,
  type Ingress,
  type IngressBackend,
  type IngressClass,
  type IngressClassParametersReference,
  type IngressSpec,
  type HTTPIngressPath,
  type TypedLocalObjectReference,
} from '../networking.js';
import { isValidIP, parseIPSloppy } from './ip.js';
import {
  isDNS1123Subdomain,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  pathSegmentNameProblems,
} from './names.js';
import { regexError } from './messages.js';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';

export const supportedPathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'] as const;
const invalidPathSequences = ['//', '/./', '/../', '%2f', '%2F'];
const invalidPathSuffixes = ['/..', '/.'];
const supportedParameterScopes = ['Cluster', 'Namespace'];
const maxLenIngressClassController = 250;

interface Options {
  /** An update may keep TLS secret names the stored object already had wrong (backwards compatibility). */
  allowInvalidSecretName: boolean;
  /** ... and invalid rules under wildcard hosts it already had. */
  allowInvalidWildcardHostRule: boolean;
}

const strict: Options = { allowInvalidSecretName: false, allowInvalidWildcardHostRule: false };

function validateTypedLocalObjectReference(ref: TypedLocalObjectReference, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (ref.apiGroup !== undefined && ref.apiGroup !== null) {
    for (const m of isDNS1123Subdomain(ref.apiGroup)) errs.push(fieldErr.invalid(path.child('apiGroup'), ref.apiGroup, m));
  }
  for (const f of ['kind', 'name'] as const) {
    const v = ref[f] ?? '';
    if (v === '') errs.push(fieldErr.required(path.child(f), ''));
    else for (const m of pathSegmentNameProblems(v)) errs.push(fieldErr.invalid(path.child(f), v, m));
  }
  return errs;
}

function validateIngressBackend(backend: IngressBackend, path: Path): FieldError[] {
  const hasResource = backend.resource !== undefined && backend.resource !== null;
  const hasService = backend.service !== undefined && backend.service !== null;
  if (hasResource && hasService) return [fieldErr.invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) return validateTypedLocalObjectReference(backend.resource!, path.child('resource'));
  if (!hasService) return [fieldErr.invalid(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const svc = backend.service!;
  const name = svc.name ?? '';
  if (name === '') errs.push(fieldErr.required(path.child('service', 'name'), ''));
  else for (const m of nameIsDNS1035Label(name, false)) errs.push(fieldErr.invalid(path.child('service', 'name'), name, m));
  const portName = svc.port?.name ?? '';
  const portNumber = svc.port?.number ?? 0;
  if (portName !== '' && portNumber !== 0) errs.push(fieldErr.invalid(path, '', 'cannot set both port name & port number'));
  else if (portName !== '') {
    for (const m of isValidPortName(portName)) errs.push(fieldErr.invalid(path.child('service', 'port', 'name'), portName, m));
  } else if (portNumber !== 0) {
    for (const m of isValidPortNum(portNumber)) errs.push(fieldErr.invalid(path.child('service', 'port', 'number'), portNumber, m));
  } else errs.push(fieldErr.required(path, 'port name or number is required'));
  return errs;
}

function validateHTTPIngressPath(p: HTTPIngressPath, path: Path): FieldError[] {
  if (p.pathType === undefined || p.pathType === null) return [fieldErr.required(path.child('pathType'), 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = p.path ?? '';
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!value.startsWith('/')) errs.push(fieldErr.invalid(path.child('path'), value, 'must be an absolute path'));
      if (value.length > 0) {
        for (const seq of invalidPathSequences) {
          if (value.includes(seq)) errs.push(fieldErr.invalid(path.child('path'), value, `must not contain '${seq}'`));
        }
        for (const suffix of invalidPathSuffixes) {
          if (value.endsWith(suffix)) errs.push(fieldErr.invalid(path.child('path'), value, `cannot end with '${suffix}'`));
        }
      }
      break;
    case 'ImplementationSpecific':
      if (value.length > 0 && !value.startsWith('/')) errs.push(fieldErr.invalid(path.child('path'), value, 'must be an absolute path'));
      break;
    default:
      errs.push(fieldErr.notSupported(path.child('pathType'), p.pathType, supportedPathTypes));
  }
  errs.push(...validateIngressBackend(p.backend ?? {}, path.child('backend')));
  return errs;
}

function validateRuleValue(http: { paths?: HTTPIngressPath[] | null } | null | undefined, path: Path): FieldError[] {
  if (!http) return [];
  const errs: FieldError[] = [];
  const paths = http.paths ?? [];
  if (paths.length === 0) errs.push(fieldErr.required(path.child('http', 'paths'), ''));
  paths.forEach((p, i) => errs.push(...validateHTTPIngressPath(p, path.child('http', 'paths').index(i))));
  return errs;
}

function validateRules(spec: IngressSpec, path: Path, opts: Options): FieldError[] {
  const errs: FieldError[] = [];
  (spec.rules ?? []).forEach((rule, i) => {
    const host = rule.host ?? '';
    const hostPath = path.index(i).child('host');
    let wildcard = false;
    if (host.length > 0) {
      if (parseIPSloppy(host)) errs.push(fieldErr.invalid(hostPath, host, 'must be a DNS name, not an IP address'));
      if (host.includes('*')) {
        for (const m of isWildcardDNS1123Subdomain(host)) errs.push(fieldErr.invalid(hostPath, host, m));
        wildcard = true;
      } else {
        for (const m of isDNS1123Subdomain(host)) errs.push(fieldErr.invalid(hostPath, host, m));
      }
    }
    if (!wildcard || !opts.allowInvalidWildcardHostRule) errs.push(...validateRuleValue(rule.http, path.index(i)));
  });
  return errs;
}

function secretNameProblems(name: string): string[] {
  return name === '' ? [] : nameIsDNSSubdomain(name, false);
}

function validateTLS(spec: IngressSpec, path: Path, opts: Options): FieldError[] {
  const errs: FieldError[] = [];
  (spec.tls ?? []).forEach((tls, t) => {
    (tls.hosts ?? []).forEach((host, i) => {
      const p = path.index(t).child('hosts').index(i);
      const problems = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      for (const m of problems) errs.push(fieldErr.invalid(p, host, m));
    });
    if (!opts.allowInvalidSecretName) {
      const name = tls.secretName ?? '';
      for (const m of secretNameProblems(name)) errs.push(fieldErr.invalid(path.index(t).child('secretName'), name, m));
    }
  });
  return errs;
}

/** Go prints an unset list of rules as its typed nil, an empty one as its typed literal. */
function goRules(rules: unknown): GoSyntax {
  return new GoSyntax(Array.isArray(rules) ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)');
}

export function validateIngressSpec(spec: IngressSpec, path: Path, opts: Options = strict): FieldError[] {
  const errs: FieldError[] = [];
  const rules = spec.rules ?? [];
  const hasDefault = spec.defaultBackend !== undefined && spec.defaultBackend !== null;
  if (rules.length === 0 && !hasDefault) errs.push(fieldErr.invalid(path, goRules(spec.rules), 'either `defaultBackend` or `rules` must be specified'));
  if (hasDefault) errs.push(...validateIngressBackend(spec.defaultBackend!, path.child('defaultBackend')));
  if (rules.length > 0) errs.push(...validateRules(spec, path.child('rules'), opts));
  if ((spec.tls ?? []).length > 0) errs.push(...validateTLS(spec, path.child('tls'), opts));
  const cls = spec.ingressClassName;
  if (cls !== undefined && cls !== null) {
    for (const m of nameIsDNSSubdomain(cls, false)) errs.push(fieldErr.invalid(path.child('ingressClassName'), cls, m));
  }
  return errs;
}

function validateIngress(ing: Ingress, opts: Options): FieldError[] {
  const errs = validateObjectMeta(ing.metadata, true, nameIsDNSSubdomain, Path.root('metadata'));
  errs.push(...validateIngressSpec(ing.spec ?? {}, Path.root('spec'), opts));
  return errs;
}

export function validateIngressCreate(ing: Ingress): FieldError[] {
  const errs = validateIngress(ing, strict);
  const annotation = ing.metadata.annotations?.[AnnotationIngressClass];
  const cls = ing.spec?.ingressClassName;
  if (annotation !== undefined && cls !== undefined && cls !== null && annotation !== cls) {
    errs.push(fieldErr.invalid(Path.root('annotations').child(AnnotationIngressClass), annotation, 'must match `ingressClassName` when both are specified'));
  }
  return errs;
}

export function validateIngressUpdate(ing: Ingress, old: Ingress): FieldError[] {
  const errs = validateObjectMetaUpdate(ing.metadata, old.metadata, Path.root('metadata'));
  const opts: Options = {
    allowInvalidSecretName: (old.spec?.tls ?? []).some((t) => secretNameProblems(t.secretName ?? '').length > 0),
    allowInvalidWildcardHostRule: (old.spec?.rules ?? []).some(
      (r) => (r.host ?? '').includes('*') && validateRuleValue(r.http, Path.root('')).length > 0,
    ),
  };
  errs.push(...validateIngress(ing, opts));
  return errs;
}

export function validateIngressStatusUpdate(ing: Ingress, old: Ingress): FieldError[] {
  const errs = validateObjectMetaUpdate(ing.metadata, old.metadata, Path.root('metadata'));
  // An address the stored status already held stays acceptable (IsValidIPForLegacyField).
  const existing = new Set((old.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== ''));
  const path = Path.root('status', 'loadBalancer', 'ingress');
  (ing.status?.loadBalancer?.ingress ?? []).forEach((lb, i) => {
    const ip = lb.ip ?? '';
    if (ip !== '' && !existing.has(ip)) errs.push(...isValidIP(path.index(i).child('ip'), ip));
    const host = lb.hostname ?? '';
    if (host !== '') {
      for (const m of isDNS1123Subdomain(host)) errs.push(fieldErr.invalid(path.index(i).child('hostname'), host, m));
      if (parseIPSloppy(host)) errs.push(fieldErr.invalid(path.index(i).child('hostname'), host, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

/** Upstream's warning for the legacy class annotation. */
export function ingressWarnings(ing: Ingress): string[] {
  if (ing.metadata.annotations?.[AnnotationIngressClass] === undefined) return [];
  return [`annotation "${AnnotationIngressClass}" is deprecated, please use 'spec.ingressClassName' instead`];
}

// IsDomainPrefixedPath: `acme.io/foo`, the host a subdomain, the rest RFC 3986 path characters.
const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRe = new RegExp(`^${httpPathFmt}$`);
function isDomainPrefixedPath(path: Path, value: string): FieldError[] {
  if (value === '') return [fieldErr.required(path, '')];
  const slash = value.indexOf('/');
  const host = slash < 0 ? value : value.slice(0, slash);
  const rest = slash < 0 ? '' : value.slice(slash + 1);
  if (slash < 0 || host === '' || rest === '') return [fieldErr.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((m) => fieldErr.invalid(path, host, m));
  if (!httpPathRe.test(rest)) errs.push(fieldErr.invalid(path, rest, regexError('Invalid path', httpPathFmt)));
  return errs;
}

function validateParameters(params: IngressClassParametersReference | null | undefined, path: Path): FieldError[] {
  if (!params) return [];
  const errs = validateTypedLocalObjectReference(params, path);
  const scope = params.scope;
  if (scope === undefined || scope === null) return [...errs, fieldErr.required(path.child('scope'), '')];
  if (!supportedParameterScopes.includes(scope)) {
    errs.push(fieldErr.notSupported(path.child('scope'), scope, supportedParameterScopes));
    return errs;
  }
  const ns = params.namespace;
  if (scope === 'Namespace') {
    if (ns === undefined || ns === null) errs.push(fieldErr.required(path.child('namespace'), "`parameters.scope` is set to 'Namespace'"));
    else for (const m of nameIsDNSLabel(ns, false)) errs.push(fieldErr.invalid(path.child('namespace'), ns, m));
  }
  if (scope === 'Cluster' && ns !== undefined && ns !== null) {
    errs.push(fieldErr.forbidden(path.child('namespace'), "`parameters.scope` is set to 'Cluster'"));
  }
  return errs;
}

export function validateIngressClass(ic: IngressClass): FieldError[] {
  const errs = validateObjectMeta(ic.metadata, false, nameIsDNSSubdomain, Path.root('metadata'));
  const path = Path.root('spec');
  const controller = ic.spec?.controller ?? '';
  if (controller === '') errs.push(fieldErr.required(path.child('controller'), ''));
  else {
    if (Buffer.byteLength(controller) > maxLenIngressClassController) {
      errs.push(fieldErr.tooLong(path.child('controller'), '', maxLenIngressClassController));
    }
    errs.push(...isDomainPrefixedPath(path.child('controller'), controller));
  }
  errs.push(...validateParameters(ic.spec?.parameters, path.child('parameters')));
  return errs;
}

export function validateIngressClassUpdate(ic: IngressClass, old: IngressClass): FieldError[] {
  const errs = validateObjectMetaUpdate(ic.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateImmutableField(ic.spec?.controller, old.spec?.controller, Path.root('spec').child('controller')));
  errs.push(...validateIngressClass(ic));
  return errs;
}

/** SetDefaults_IngressClass: parameters are cluster-scoped unless they say otherwise. */
export function setDefaultsIngressClass(ic: IngressClass): void {
  const params = ic.spec?.parameters;
  if (params && (params.scope === undefined || params.scope === null)) params.scope = 'Cluster';
}
