// The printers the table tests exercise, by resource (API group + plural name); the API server
// itself takes each resource's printer from its registry entry. Unknown ones get the default table.
import { defaultPrinter } from '../../../src/apiserver/tables/default.js';
import { endpointSlicePrinter, endpointsPrinter } from '../../../src/apiserver/tables/endpoints.js';
import { eventPrinter } from '../../../src/apiserver/tables/event.js';
import { nodePrinter } from '../../../src/apiserver/tables/node.js';
import { podPrinter } from '../../../src/apiserver/tables/pod.js';
import { servicePrinter } from '../../../src/apiserver/tables/service.js';
import { configMapPrinter, leasePrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from '../../../src/apiserver/tables/simple.js';
import type { Printer } from '../../../src/apiserver/tables/types.js';
import { controllerRevisionPrinter, daemonSetPrinter, deploymentPrinter, replicaSetPrinter, statefulSetPrinter } from '../../../src/apiserver/tables/workloads.js';

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
  ['apps/statefulsets', statefulSetPrinter as AnyPrinter],
  ['apps/daemonsets', daemonSetPrinter as AnyPrinter],
  ['apps/controllerrevisions', controllerRevisionPrinter as AnyPrinter],
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
