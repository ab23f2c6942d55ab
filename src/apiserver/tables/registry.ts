// Which printer each resource (API group + plural name) gets; everything else falls to the default table.
import { defaultPrinter } from './default.js';
import { endpointSlicePrinter, endpointsPrinter } from './endpoints.js';
import { eventPrinter } from './event.js';
import { nodePrinter } from './node.js';
import { podPrinter } from './pod.js';
import { servicePrinter } from './service.js';
import { configMapPrinter, leasePrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from './simple.js';
import type { Printer } from './types.js';
import { deploymentPrinter, replicaSetPrinter } from './workloads.js';

// The printers are typed per kind; the registry hands them plain stored objects of that kind.
type AnyPrinter = Printer<never>;

const printers = new Map<string, AnyPrinter>([
  ['/services', servicePrinter as AnyPrinter],
  ['/pods', podPrinter as AnyPrinter],
  ['/endpoints', endpointsPrinter as AnyPrinter],
  ['/namespaces', namespacePrinter as AnyPrinter],
  ['/nodes', nodePrinter as AnyPrinter],
  ['/events', eventPrinter as AnyPrinter],
  ['/configmaps', configMapPrinter as AnyPrinter],
  ['/secrets', secretPrinter as AnyPrinter],
  ['/serviceaccounts', serviceAccountPrinter as AnyPrinter],
  ['apps/deployments', deploymentPrinter as AnyPrinter],
  ['apps/replicasets', replicaSetPrinter as AnyPrinter],
  ['discovery.k8s.io/endpointslices', endpointSlicePrinter as AnyPrinter],
  ['coordination.k8s.io/leases', leasePrinter as AnyPrinter],
  // events.k8s.io/v1 Events are the same objects as core Events and print the same way upstream.
  ['events.k8s.io/events', eventPrinter as AnyPrinter],
]);

/** The printer for a resource; the core group is "" (or "core"). */
export function printerFor(resource: string, group: string): Printer<unknown> {
  const g = group === 'core' ? '' : group;
  return (printers.get(`${g}/${resource}`) ?? defaultPrinter) as unknown as Printer<unknown>;
}
