// The Gateway API v1.6.1 standard-channel CRDs (manifests/gateway-api) and small CRD builders
// shared by the apiextensions tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { CustomResourceDefinition, CustomResourceDefinitionVersion, JSONSchemaProps } from '../../../../src/api/apiextensions/index.js';

// dist/test/unit/api/apiextensions → the repository root is five levels up.
const fixtures = fileURLToPath(new URL('../../../../../manifests/gateway-api/', import.meta.url));

export function gatewayCRD(plural: 'gatewayclasses' | 'gateways' | 'httproutes' | 'referencegrants'): CustomResourceDefinition {
  return YAML.parse(readFileSync(`${fixtures}gateway.networking.k8s.io_${plural}.yaml`, 'utf8')) as CustomResourceDefinition;
}

/** A minimal valid namespaced CRD `widgets.example.com` whose v1 schema has `spec` as given. */
export function widgetCRD(spec: JSONSchemaProps = { type: 'object' }, extra: Partial<CustomResourceDefinitionVersion> = {}): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec, status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } },
          ...extra,
        },
      ],
    },
  };
}

export function widget(spec: unknown, name = 'w1'): Record<string, unknown> {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'default' }, spec };
}
