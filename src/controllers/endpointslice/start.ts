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
import type { EventSink } from './util/recorder.js';

export interface ServiceControllersOptions {
  /** Workers per controller (upstream's --concurrent-service-endpoint-syncs etc.; default 5). */
  workers?: number;
  /** --max-endpoints-per-slice (default 100). */
  maxEndpointsPerSlice?: number;
  /** --lb-pool (default 127.240.0.0/24); throws PoolParseError when malformed. */
  lbPool?: string;
  /** Leave out the LoadBalancer controller (e.g. when MetalLB runs instead). */
  serviceLB?: boolean;
  /** Event recorders by component; default: EventRecorder on the client. */
  recorder?: (component: string) => EventSink;
}

export function startServiceControllers(client: Client, informers: InformerFactory, opts: ServiceControllersOptions = {}): { stop(): void } {
  const workers = opts.workers ?? 5;
  const recorder = opts.recorder ?? ((c: string) => new EventRecorder(client, c));
  // First, so a malformed pool fails before anything starts.
  const lb =
    opts.serviceLB === false
      ? undefined
      : new ServiceLBController(client, informers, { recorder: recorder('service-lb-controller'), ...(opts.lbPool ? { pool: opts.lbPool } : {}) });
  const all: { run(workers: number): void; stop(): void }[] = [
    new EndpointSliceController(client, informers, {
      recorder: recorder('endpoint-slice-controller'),
      ...(opts.maxEndpointsPerSlice ? { maxEndpointsPerSlice: opts.maxEndpointsPerSlice } : {}),
    }),
    new EndpointsController(client, informers, { recorder: recorder('endpoint-controller') }),
    new EndpointSliceMirroringController(client, informers, { recorder: recorder('endpoint-slice-mirroring-controller') }),
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
