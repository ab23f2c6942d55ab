// The subset of an OpenAPI v3 schema node that kubesvc keeps (see scripts/gen-schema.mjs).

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface SchemaNode {
  type?: string;
  format?: string;
  $ref?: string;
  allOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  [ext: `x-${string}`]: unknown;
}
