// The pod event handlers both endpoint controllers (EndpointSlice and Endpoints) install: every
// Service selecting the pod — before and after a label change — is queued, and a pod that starts
// terminating or is deleted stamps those Services' last-change trigger time.
import type { Pod, Service } from '../../../api/core.js';
import type { EventHandlers, Informer } from '../../../client/informer-types.js';
import { servicesForPodLabels } from './label-index.js';
import { servicesToUpdateOnPodChange } from './service-selection.js';
import type { TriggerTimeTracker } from './trigger-time.js';

export function podEventHandlers(services: Informer<Service>, triggerTimes: TriggerTimeTracker, enqueue: (serviceKey: string) => void): EventHandlers<Pod> {
  const forPod = (p: Pod, deletedAt?: number) => {
    for (const k of servicesForPodLabels(services, p.metadata.namespace, p.metadata.labels)) {
      if (deletedAt !== undefined) triggerTimes.observe(k, deletedAt);
      enqueue(k);
    }
  };
  return {
    onAdd: (p) => forPod(p),
    onUpdate: (o, p) => {
      const keys = servicesToUpdateOnPodChange((l) => servicesForPodLabels(services, p.metadata.namespace, l), o, p);
      const terminating = !o.metadata.deletionTimestamp && !!p.metadata.deletionTimestamp;
      for (const k of keys) {
        if (terminating) triggerTimes.observe(k, Date.now());
        enqueue(k);
      }
    },
    onDelete: (p) => forPod(p, Date.now()),
  };
}
