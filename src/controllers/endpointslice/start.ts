// The Service networking controllers in one call, as kube-controller-manager starts its
// endpointslice, endpoint and endpointslicemirroring controllers (plus the bare-metal
// LoadBalancer controller a cloud provider's service controller would be). Each waits for its
// own informers to sync before its workers run, so this may be called before or after
// informers.start().
import type { Client } from '../../client/client.js';
import { EventRecorder } from '../../client/events.js';
import type { InformerFactory } from '../../client/informer-types.js';
import { EndpointsController } from '../endpoints/controller.js';
import { EndpointSliceMirroringController } from '../endpointslicemirroring/controller.js';
import { ServiceLBController } from '../servicelb/controller.js';
import { EndpointSliceController } from './controller.js';
import type { Recorder } from '../common/recorder.js';

export interface ServiceControllersOptions {
  /** Workers per controller (upstream's --concurrent-service-endpoint-syncs etc.; default 5). */
  workers?: number;
  /** --max-endpoints-per-slice (default 100). */
  maxEndpointsPerSlice?: number;
  /** --lb-pool (default 127.240.0.0/24); throws PoolParseError when malformed. */
  lbPool?: string;
  /** Leave out the LoadBalancer controller (e.g. when MetalLB runs instead). */
  serviceLB?: boolean;
  /** The LoadBalancer controller's own informers (it runs apart from the controller manager); default: `informers`. */
  loadBalancerInformers?: InformerFactory;
  /** The client each controller acts through, by its ServiceAccount name in kube-system; default: `client` for all. */
  clientFor?: (serviceAccount: string) => Client;
  /** Event recorders by component (and the controller's ServiceAccount); default: EventRecorder on its client. */
  recorder?: (component: string, serviceAccount: string) => Recorder;
}

/** The kube-system ServiceAccounts these controllers act as (with `clientFor`). */
export const serviceControllerServiceAccounts = ['endpointslice-controller', 'endpoint-controller', 'endpointslicemirroring-controller'];

export function startServiceControllers(client: Client, informers: InformerFactory, opts: ServiceControllersOptions = {}): { stop(): void } {
  const workers = opts.workers ?? 5;
  const clientFor = opts.clientFor ?? (() => client);
  const recorder = opts.recorder ?? ((c: string, sa: string) => new EventRecorder(clientFor(sa), c));
  // First, so a malformed pool fails before anything starts.
  const lb =
    opts.serviceLB === false
      ? undefined
      : new ServiceLBController(clientFor('servicelb-controller'), opts.loadBalancerInformers ?? informers, {
          recorder: recorder('service-lb-controller', 'servicelb-controller'),
          ...(opts.lbPool ? { pool: opts.lbPool } : {}),
        });
  const all: { run(workers: number): void; stop(): void }[] = [
    new EndpointSliceController(clientFor('endpointslice-controller'), informers, {
      recorder: recorder('endpoint-slice-controller', 'endpointslice-controller'),
      ...(opts.maxEndpointsPerSlice ? { maxEndpointsPerSlice: opts.maxEndpointsPerSlice } : {}),
    }),
    new EndpointsController(clientFor('endpoint-controller'), informers, { recorder: recorder('endpoint-controller', 'endpoint-controller') }),
    new EndpointSliceMirroringController(clientFor('endpointslicemirroring-controller'), informers, {
      recorder: recorder('endpoint-slice-mirroring-controller', 'endpointslicemirroring-controller'),
    }),
  ];
  for (const c of all) c.run(workers);
  // One worker: addresses are handed out one Service at a time, in the order they come.
  lb?.run(1);
  return {
    stop() {
      for (const c of all) c.stop();
      lb?.stop();
    },
  };
}
