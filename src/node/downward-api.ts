// The downward API as the kubelet resolves it for env (fieldRef, resourceFieldRef) and for
// downwardAPI volume files: pod fields by path (pkg/fieldpath) and a container's resources
// divided by a divisor, rounded up (pkg/api/v1/resource ExtractContainerResourceValue), with the
// node's allocatable standing in for a limit the container does not set, as the kubelet's
// defaultPodLimitsForDownwardAPI does.
import type { Container, Pod } from '../api/core.js';
import { Quantity } from '../api/quantity.js';

/** A value the kubelet cannot produce: the container waits with CreateContainerConfigError. */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

export interface ObjectFieldSelector {
  apiVersion?: string;
  fieldPath?: string;
}

export interface ResourceFieldSelector {
  containerName?: string;
  resource?: string;
  divisor?: string | number;
}

/** Go's %q for the strings labels and annotations hold. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** pkg/fieldpath FormatMap: `key="value"` lines in key order, for whole labels/annotations files. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(m![k]!)}`)
    .join('\n');
}

/** pkg/fieldpath ExtractFieldPathAsString plus the status fields the kubelet fills in itself. */
export function fieldRefValue(pod: Pod, path: string): string {
  const sub = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (sub) return (sub[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[sub[2]!] ?? '';
  switch (path) {
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    case 'status.podIPs':
      return (pod.status?.podIPs ?? []).map((p) => p.ip).join(',');
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    case 'status.hostIPs':
      return (pod.status?.hostIPs ?? []).map((p) => p.ip).join(',');
    default:
      throw new ContainerConfigError(`unsupported fieldPath: ${path}`);
  }
}

type Resources = { limits?: Record<string, string | number>; requests?: Record<string, string | number> };

function quantity(v: string | number | undefined): Quantity {
  return Quantity.parse(v === undefined ? '0' : String(v));
}

/** ceil(a / b) of two exact fractions. */
function ceilDiv(a: Quantity, b: Quantity): bigint {
  const num = a.num * b.den;
  const den = a.den * b.num;
  if (den === 0n) throw new ContainerConfigError('divisor must not be zero');
  const q = num / den;
  return num % den !== 0n && num > 0n === den > 0n ? q + 1n : q;
}

/**
 * One resource of a container (`limits.cpu`, `requests.memory`, ...) divided by `divisor`, rounded
 * up. `allocatable` is the node's: it stands in for a limit the container does not set.
 */
export function resourceFieldValue(
  pod: Pod,
  container: Container | undefined,
  sel: ResourceFieldSelector,
  allocatable: Record<string, string>,
): string {
  const c = sel.containerName ? [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((x) => x.name === sel.containerName) : container;
  if (!c) throw new ContainerConfigError(`container ${sel.containerName ?? ''} not found`);
  const resource = sel.resource ?? '';
  const m = /^(limits|requests)\.(.+)$/.exec(resource);
  if (!m) throw new ContainerConfigError(`unsupported container resource : ${resource}`);
  const [, kind, name] = m as unknown as [string, 'limits' | 'requests', string];
  const res = (c.resources ?? {}) as Resources;
  let value = res[kind]?.[name];
  if (value === undefined && kind === 'limits' && name in allocatable) value = allocatable[name];
  const divisor = quantity(sel.divisor ?? '1');
  if (divisor.num === 0n) throw new ContainerConfigError('divisor must not be zero');
  return ceilDiv(quantity(value), divisor).toString();
}
