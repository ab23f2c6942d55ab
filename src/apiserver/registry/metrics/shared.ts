// What the two metrics.k8s.io/v1beta1 kinds share (metrics-server's API, served here without an
// aggregated server): their ResourceInfo (get and list only, nothing stored), usage as the
// quantities metrics-server writes, the window as a Go duration, and OpenAPI schemas.
import type { KubeObject } from '../../../api/meta.js';
import { formatGoDuration } from '../../protobuf/gotime.js';
import { resourceInfo, type ResourceInfo } from '../../resources.js';
import type { OwnSchemas } from '../../openapi/types.js';
import type { Usage } from '../../metrics/resource-metrics.js';
import { reviewStrategy } from '../authorization/review.js';
import type { Strategy } from '../entry.js';

export const group = 'metrics.k8s.io';
export const version = 'v1beta1';

const prefix = 'io.k8s.metrics.pkg.apis.metrics.v1beta1';
const quantity = { $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' };
const usage = { type: 'object', additionalProperties: quantity, description: 'The memory (working set) and CPU usage over the window.' };
const objectMeta = { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' };
const listMeta = { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta' };

function schemas(kind: string, properties: Record<string, unknown>): OwnSchemas {
  const gvk = [{ group, version, kind }];
  const object = `${prefix}.${kind}`;
  const list = `${prefix}.${kind}List`;
  return {
    object,
    list,
    key: `${group}/${version}/${kind}/1`,
    definitions: {
      [object]: {
        type: 'object',
        description: `${kind}: resource usage, as metrics-server reports it.`,
        properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: objectMeta, timestamp: { type: 'string', format: 'date-time' }, window: { type: 'string' }, ...properties },
        'x-kubernetes-group-version-kind': gvk,
      },
      [list]: {
        type: 'object',
        required: ['items'],
        properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: listMeta, items: { type: 'array', items: { $ref: `#/definitions/${object}` } } },
        'x-kubernetes-group-version-kind': [{ group, version, kind: `${kind}List` }],
      },
    },
  };
}

export function metricsInfo(resource: string, kind: string, namespaced: boolean): ResourceInfo {
  const properties: Record<string, unknown> =
    kind === 'NodeMetrics'
      ? { usage }
      : { containers: { type: 'array', items: { type: 'object', required: ['name', 'usage'], properties: { name: { type: 'string' }, usage } } } };
  return resourceInfo({ group, version, resource, kind, namespaced, verbs: ['get', 'list'], strategicMergePatch: false, openapi: schemas(kind, properties) });
}

/** Nothing is written: the store's path is never taken. */
export const metricsStrategy: Strategy<KubeObject> = reviewStrategy;

/** CPU in nanocores and memory in KiB, as metrics-server's quantities read. */
export function usageQuantities(u: Usage): { cpu: string; memory: string } {
  return { cpu: `${u.cpu}n`, memory: `${Math.round(u.memory / 1024)}Ki` };
}

export function windowString(ms: number): string {
  return formatGoDuration(BigInt(Math.round(ms)) * 1_000_000n);
}
