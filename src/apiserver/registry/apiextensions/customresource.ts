// The registry entry of one served version of a CRD (apiextensions-apiserver's customresource
// strategy behind the CRD handler): names from the CRD's accepted names, the strategy of the CRD
// library's CustomResourceVersion (prune, default, validate with the schema and CEL), the
// additionalPrinterColumns as the table.
import { CustomResourceVersion, pruneCustomResource, applyDefaults, type CustomResourceDefinition, type CustomResourceDefinitionVersion } from '../../../api/apiextensions/index.js';
import type { KubeObject } from '../../../api/meta.js';
import { errors, StatusError } from '../../../machinery/status.js';
import { resourceInfo } from '../../resources.js';
import { entry, type RegistryEntry } from '../entry.js';
import { ownSchemas } from './openapi.js';

type JSONObject = Record<string, unknown>;
const plain = (o: KubeObject): JSONObject => o as unknown as JSONObject;

/**
 * The entry serving `v` of `crd`; `crd` must be valid and its names accepted. `terminating` tells
 * whether the CRD is being deleted now (its objects are going: upstream's CRD handler refuses
 * creates then, while get, list, watch, update and delete go on).
 */
export function customResourceEntry(crd: CustomResourceDefinition, v: CustomResourceDefinitionVersion, terminating: () => boolean = () => false): RegistryEntry {
  const cv = new CustomResourceVersion(crd, v);
  const names = crd.status?.acceptedNames ?? crd.spec?.names ?? {};
  const prune = (o: KubeObject): void => {
    pruneCustomResource(plain(o), cv.schema);
    applyDefaults(plain(o), cv.schema);
  };
  const subresources = [...(v.subresources?.status ? ['status'] : []), ...(v.subresources?.scale ? ['scale'] : [])];
  return entry<KubeObject>({
    info: resourceInfo({
      group: cv.group,
      version: cv.version,
      resource: names.plural ?? '',
      kind: names.kind ?? '',
      singular: names.singular ?? (names.kind ?? '').toLowerCase(),
      namespaced: cv.namespaced,
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      subresources,
      strategicMergePatch: false,
      ...(v.subresources?.scale ? { scale: v.subresources.scale } : {}),
      // What pruning would drop is what fieldValidation warns about (upstream's `unknown field
      // "spec.x"`) or, when Strict, refuses; found on a copy, before defaulting prunes the body.
      unknownFields: (o) => pruneCustomResource(structuredClone(plain(o)), cv.schema).map((f) => `.${f}`),
      openapi: ownSchemas(
        { group: cv.group, version: cv.version, kind: names.kind ?? '', listKind: names.listKind ?? `${names.kind ?? ''}List`, plural: names.plural ?? '' },
        cv.schema as Record<string, unknown>,
      ),
    }),
    strategy: {
      // Custom resources, as CRDs, take no PUT without a resourceVersion (upstream's strategies).
      allowUnconditionalUpdate: false,
      defaults: prune,
      prepareForCreate: (o) => void cv.prepareForCreate(plain(o)),
      prepareForUpdate: (o, old) => void cv.prepareForUpdate(plain(o), plain(old)),
      validateCreate: (o) => cv.validate(plain(o)),
      validateUpdate: (o, old) => cv.validateUpdate(plain(o), plain(old)),
      validateStatusUpdate: (o, old) => cv.validateStatusUpdate(plain(o), plain(old)),
    },
    hooks: () => ({
      async admit() {
        if (!terminating()) return;
        const e = errors.methodNotSupported({ group: cv.group, resource: names.plural ?? '' }, 'create');
        throw new StatusError(e.code, e.reason, 'create not allowed while custom resource definition is terminating', e.details);
      },
    }),
    printer: cv.columns,
  });
}
