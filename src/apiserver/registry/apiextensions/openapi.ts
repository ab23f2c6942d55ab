// OpenAPI definitions of a kind served from a schema rather than generated Go types, as
// apiextensions-apiserver's openapi builder writes them for a CRD version: the schema with
// apiVersion, kind and metadata added, a list kind around it, named by the reversed group
// (gateway.networking.k8s.io/v1 Gateway → io.k8s.networking.gateway.v1.Gateway).
import { createHash } from 'node:crypto';
import { REF_PREFIX } from '../../../api/schema/index.js';
import type { OwnSchemas } from '../../openapi/types.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

export interface SchemaKind {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
}

function nameOf(k: SchemaKind, kind: string): string {
  return `${k.group.split('.').reverse().join('.')}.${k.version}.${kind}`;
}

const typeMeta = {
  apiVersion: {
    description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
    type: 'string',
  },
  kind: {
    description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
    type: 'string',
  },
};

export function ownSchemas(k: SchemaKind, schema: Record<string, unknown>): OwnSchemas {
  const object = nameOf(k, k.kind);
  const list = nameOf(k, k.listKind);
  const props = (schema['properties'] ?? {}) as Record<string, unknown>;
  const objectSchema = {
    ...schema,
    type: 'object',
    properties: {
      ...props,
      ...typeMeta,
      metadata: { allOf: [{ $ref: `${REF_PREFIX}${META}ObjectMeta` }], default: {}, description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
    },
    'x-kubernetes-group-version-kind': [{ group: k.group, kind: k.kind, version: k.version }],
  };
  const listSchema = {
    description: `${k.listKind} is a list of ${k.kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      ...typeMeta,
      items: { description: `List of ${k.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`, type: 'array', items: { $ref: `${REF_PREFIX}${object}` } },
      metadata: { allOf: [{ $ref: `${REF_PREFIX}${META}ListMeta` }], default: {}, description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
    },
    'x-kubernetes-group-version-kind': [{ group: k.group, kind: k.listKind, version: k.version }],
  };
  const definitions = { [object]: objectSchema, [list]: listSchema };
  const key = createHash('sha256').update(JSON.stringify(definitions)).digest('hex');
  return { object, list, definitions, key };
}
