// ValidateCustomResourceDefinition (apiextensions-apiserver pkg/apis/apiextensions/validation)
// for apiextensions.k8s.io/v1: the name is plural.group, names are DNS-1035 labels, exactly one
// storage version, scope and conversion from their enums, every version's schema structural with
// valid defaults and compilable CEL rules within cost, printer columns and subresource paths.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import { isDNS1035Label, nameIsDNSSubdomain } from '../validation/names.js';
import { isDNS1123Subdomain } from '../../machinery/labels/validate.js';
import { validateObjectMeta, validateObjectMetaUpdate, validateImmutableField } from '../validation/objectmeta.js';
import { compileSchemaRules } from './cel/rules.js';
import { isObject } from './json.js';
import { pruneValueInPlace } from './prune.js';
import { validateAgainstSchema } from './schema-validation.js';
import { maxSchemaDepth, validateStructuralSchema } from './structural.js';
import { compileRegex } from './regex.js';
import type {
  CustomResourceColumnDefinition,
  CustomResourceDefinition,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionSpec,
  CustomResourceDefinitionVersion,
  CustomResourceSubresources,
  JSONSchemaProps,
} from './types.js';

// Sorted, as upstream prints sets.List().
const columnTypes = ['boolean', 'date', 'integer', 'number', 'string'];
const columnFormats = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

export function validateCustomResourceDefinitionNames(names: CustomResourceDefinitionNames | undefined, p: Path): FieldError[] {
  const n = names ?? {};
  const errs: FieldError[] = [];
  const label = (v: string | undefined, path: Path, mixed = false): void => {
    if (!v) return;
    const probs = isDNS1035Label(mixed ? v.toLowerCase() : v);
    if (probs.length) errs.push(fieldErr.invalid(path, v, (mixed ? 'may have mixed case, but should otherwise match: ' : '') + probs.join(',')));
  };
  label(n.plural, p.child('plural'));
  label(n.singular, p.child('singular'));
  label(n.kind, p.child('kind'), true);
  label(n.listKind, p.child('listKind'), true);
  (n.shortNames ?? []).forEach((s, i) => label(s, p.child('shortNames').index(i)));
  if (n.kind && n.kind === n.listKind) errs.push(fieldErr.invalid(p.child('listKind'), n.listKind, 'kind and listKind may not be the same'));
  (n.categories ?? []).forEach((c, i) => label(c, p.child('categories').index(i)));
  return errs;
}

/** validateSimpleJSONPath: non-empty and starting with a dot. */
function validateSimpleJSONPath(s: string, p: Path): FieldError[] {
  if (s.length === 0) return [fieldErr.invalid(p, s, 'must not be empty')];
  if (s[0] !== '.') return [fieldErr.invalid(p, s, 'must be a simple json path starting with .')];
  return [];
}

/** ValidateCustomResourceColumnDefinition; upstream names the path field `JSONPath` (its internal Go name). */
function validateColumn(col: CustomResourceColumnDefinition, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const typeMsg = `must be one of ${columnTypes.join(',')}`;
  if (!col.name) errs.push(fieldErr.required(p.child('name'), ''));
  if (!col.type) errs.push(fieldErr.required(p.child('type'), typeMsg));
  else if (!columnTypes.includes(col.type)) errs.push(fieldErr.invalid(p.child('type'), col.type, typeMsg));
  if (col.format && !columnFormats.includes(col.format)) {
    errs.push(fieldErr.invalid(p.child('format'), col.format, `must be one of ${columnFormats.join(',')}`));
  }
  if (!col.jsonPath) errs.push(fieldErr.required(p.child('JSONPath'), ''));
  else errs.push(...validateSimpleJSONPath(col.jsonPath, p.child('JSONPath')));
  return errs;
}

function validateScalePath(value: string | undefined, p: Path, prefixes: string[], under: string, required: boolean): FieldError[] {
  if (!value) return required ? [fieldErr.required(p, '')] : [];
  const errs = validateSimpleJSONPath(value, p);
  if (errs.length) return errs;
  return prefixes.some((r) => value.startsWith(r)) ? [] : [fieldErr.invalid(p, value, `should be a json path under ${under}`)];
}

function validateSubresources(sub: CustomResourceSubresources | undefined, p: Path): FieldError[] {
  if (!sub?.scale) return [];
  const s = sub.scale;
  return [
    ...validateScalePath(s.specReplicasPath, p.child('scale.specReplicasPath'), ['.spec.'], '.spec', true),
    ...validateScalePath(s.statusReplicasPath, p.child('scale.statusReplicasPath'), ['.status.'], '.status', true),
    ...validateScalePath(s.labelSelectorPath, p.child('scale.labelSelectorPath'), ['.spec.', '.status.'], 'either .spec or .status', false),
  ];
}

const approvalAnnotation = 'api-approved.kubernetes.io';

/** validateAPIApproval: groups under k8s.io and kubernetes.io need the approval annotation. */
function validateAPIApproval(crd: CustomResourceDefinition, old?: CustomResourceDefinition): FieldError[] {
  const group = crd.spec?.group ?? '';
  const isProtected = (g: string) => g === 'k8s.io' || g.endsWith('.k8s.io') || g === 'kubernetes.io' || g.endsWith('.kubernetes.io');
  if (!isProtected(group)) return [];
  const state = (annotations: Record<string, string> | undefined): string => {
    const a = annotations?.[approvalAnnotation] ?? '';
    if (!a) return 'missing';
    if (a.startsWith('unapproved')) return 'bypassed';
    try {
      const u = new URL(a);
      if (u.host && u.protocol) return 'approved';
    } catch {
      // not a URL
    }
    return 'invalid';
  };
  const now = state(crd.metadata?.annotations);
  if (old && state(old.metadata?.annotations) === now) return [];
  const p = Path.root('metadata', 'annotations').key(approvalAnnotation);
  if (now === 'missing') {
    return [fieldErr.required(p, `protected groups must have approval annotation "${approvalAnnotation}", see https://github.com/kubernetes/enhancements/pull/1111`)];
  }
  if (now === 'invalid') {
    return [
      fieldErr.invalid(
        p,
        crd.metadata?.annotations?.[approvalAnnotation],
        `protected groups must have approval annotation "${approvalAnnotation}" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111`,
      ),
    ];
  }
  return [];
}

/**
 * structuraldefaulting.ValidateDefaults: every default is pruned already and valid against its
 * own schema, errors rooted at `….default` with kube-openapi's paths relative to the default.
 */
function validateDefaults(s: JSONSchemaProps, p: Path, errs: FieldError[], depth: number): void {
  if (!isObject(s) || depth > maxSchemaDepth) return;
  if (s.default !== undefined) {
    const dp = String(p.child('default'));
    const copy = structuredClone(s.default);
    if (pruneValueInPlace(copy, s).length) errs.push(fieldErr.invalid(dp, s.default, 'must not have unknown fields'));
    else {
      for (const e of validateAgainstSchema(s, s.default, '')) {
        errs.push({ ...e, field: e.field === '' ? dp : e.field.startsWith('[') ? dp + e.field : `${dp}.${e.field}` });
      }
    }
  }
  const pattern: unknown = s.pattern;
  if (pattern !== undefined) {
    const re = typeof pattern === 'string' ? compileRegex(pattern) : new Error('pattern must be a string');
    if (re instanceof Error) errs.push(fieldErr.invalid(p.child('pattern'), pattern, `must be a valid regular expression, but isn't: ${re.message}`));
  }
  for (const [k, sub] of Object.entries(s.properties ?? {})) validateDefaults(sub, p.child('properties').key(k), errs, depth + 1);
  if (isObject(s.additionalProperties)) validateDefaults(s.additionalProperties as JSONSchemaProps, p.child('additionalProperties'), errs, depth + 1);
  if (isObject(s.items)) validateDefaults(s.items as JSONSchemaProps, p.child('items'), errs, depth + 1);
}

function validateVersionSchema(v: CustomResourceDefinitionVersion, p: Path): FieldError[] {
  const schema = v.schema?.openAPIV3Schema;
  const sp = p.child('schema', 'openAPIV3Schema');
  if (!isObject(schema)) return [fieldErr.required(sp, 'schemas are required')];
  const errs = validateStructuralSchema(schema, sp);
  if (errs.length) return errs;
  validateDefaults(schema, sp, errs, 0);
  errs.push(...compileSchemaRules(schema, sp).errors);
  return errs;
}

export function validateCustomResourceDefinitionSpec(spec: CustomResourceDefinitionSpec | undefined, p: Path): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  if (!s.group) errs.push(fieldErr.required(p.child('group'), ''));
  else {
    const probs = isDNS1123Subdomain(s.group);
    if (probs.length) errs.push(fieldErr.invalid(p.child('group'), s.group, probs.join(',')));
    else if (s.group.split('.').length < 2) errs.push(fieldErr.invalid(p.child('group'), s.group, 'should be a domain with at least one dot'));
  }
  if (!s.scope) errs.push(fieldErr.required(p.child('scope'), ''));
  else if (s.scope !== 'Cluster' && s.scope !== 'Namespaced') errs.push(fieldErr.notSupported(p.child('scope'), s.scope, ['Cluster', 'Namespaced']));

  const versions = Array.isArray(s.versions) ? s.versions : [];
  let storage = 0;
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const vp = p.child('versions').index(i);
    if (v.storage) storage++;
    if (seen.has(v.name ?? '')) unique = false;
    seen.add(v.name ?? '');
    const probs = isDNS1035Label(v.name ?? '');
    if (probs.length) errs.push(fieldErr.invalid(vp.child('name'), v.name ?? '', probs.join(',')));
    errs.push(...validateVersionSchema(v, vp));
    errs.push(...validateSubresources(v.subresources, vp.child('subresources')));
    (v.additionalPrinterColumns ?? []).forEach((c, j) => errs.push(...validateColumn(c, vp.child('additionalPrinterColumns').index(j))));
  });
  if (!unique) errs.push(fieldErr.invalid(p.child('versions'), versions, 'must contain unique version names'));
  if (storage !== 1) errs.push(fieldErr.invalid(p.child('versions'), versions, 'must have exactly one version marked as storage version'));

  const names = s.names ?? {};
  const np = p.child('names');
  if (!names.plural) errs.push(fieldErr.required(np.child('plural'), ''));
  if (!names.singular) errs.push(fieldErr.required(np.child('singular'), ''));
  if (!names.kind) errs.push(fieldErr.required(np.child('kind'), ''));
  if (!names.listKind) errs.push(fieldErr.required(np.child('listKind'), ''));
  errs.push(...validateCustomResourceDefinitionNames(names, np));

  const conv = s.conversion;
  if (conv) {
    const strategies = ['None', 'Webhook'];
    if (!conv.strategy) errs.push(fieldErr.required(p.child('conversion', 'strategy'), ''));
    else if (!strategies.includes(conv.strategy)) errs.push(fieldErr.notSupported(p.child('conversion', 'strategy'), conv.strategy, strategies));
    else if (conv.strategy === 'Webhook' && !conv.webhook) {
      errs.push(fieldErr.required(p.child('conversion', 'webhook'), 'required when strategy is set to Webhook'));
    } else if (conv.strategy === 'None' && conv.webhook) {
      errs.push(fieldErr.forbidden(p.child('conversion', 'webhook'), 'should not be set when strategy is not set to Webhook'));
    }
  }
  if (s.preserveUnknownFields) {
    errs.push(fieldErr.invalid(p.child('preserveUnknownFields'), true, 'must be false in order to use defaults in the schema'));
  }
  return errs;
}

/** Defaults the API server applies to a v1 CRD before validation (SetDefaults_*). */
export function defaultCustomResourceDefinition(crd: CustomResourceDefinition): void {
  const spec = crd.spec;
  if (!spec) return;
  if (spec.names?.kind) {
    spec.names.singular ||= spec.names.kind.toLowerCase();
    spec.names.listKind ||= `${spec.names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
  for (const v of spec.versions ?? []) {
    for (const c of v.additionalPrinterColumns ?? []) c.priority ??= 0;
  }
}

export function validateCustomResourceDefinition(crd: CustomResourceDefinition): FieldError[] {
  const spec = crd.spec ?? {};
  const required = `${spec.names?.plural ?? ''}.${spec.group ?? ''}`;
  const nameFn = (name: string, prefix: boolean): string[] => {
    const probs = nameIsDNSSubdomain(name, prefix);
    return name === required ? probs : [...probs, 'must be spec.names.plural+"."+spec.group'];
  };
  return [
    ...validateObjectMeta(crd.metadata, false, nameFn, Path.root('metadata'), false),
    ...validateCustomResourceDefinitionSpec(crd.spec, Path.root('spec')),
    ...validateCustomResourceDefinitionNames(crd.status?.acceptedNames, Path.root('status', 'acceptedNames')),
    ...validateAPIApproval(crd),
  ];
}

function isEstablished(crd: CustomResourceDefinition): boolean {
  return (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
}

export function validateCustomResourceDefinitionUpdate(crd: CustomResourceDefinition, old: CustomResourceDefinition): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(crd.metadata, old.metadata, Path.root('metadata'), false),
    ...validateCustomResourceDefinitionSpec(crd.spec, Path.root('spec')),
    ...validateCustomResourceDefinitionNames(crd.status?.acceptedNames, Path.root('status', 'acceptedNames')),
  ];
  errs.push(...validateAPIApproval(crd, old));
  const s = crd.spec ?? {};
  const o = old.spec ?? {};
  if (isEstablished(old)) {
    errs.push(...validateImmutableField(s.scope, o.scope, Path.root('spec', 'scope')));
    errs.push(...validateImmutableField(s.names?.kind, o.names?.kind, Path.root('spec', 'names', 'kind')));
  }
  errs.push(...validateImmutableField(s.group, o.group, Path.root('spec', 'group')));
  errs.push(...validateImmutableField(s.names?.plural, o.names?.plural, Path.root('spec', 'names', 'plural')));
  const stored = crd.status?.storedVersions ?? [];
  stored.forEach((v, i) => {
    if (!(s.versions ?? []).some((x) => x.name === v)) {
      errs.push(fieldErr.invalid(Path.root('status', 'storedVersions').index(i), v, 'must appear in spec.versions'));
    }
  });
  return errs;
}
