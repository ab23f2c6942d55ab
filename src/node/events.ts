// Events the agent records about pods and their containers, as the kubelet does (source
// component "kubelet", host the node; involvedObject.fieldPath "spec.containers{name}").
// Repeats of the same event within 10 minutes bump count and lastTimestamp on one Event object,
// as client-go's event correlator does, so a crash-looping pod does not flood the namespace.
import { randomBytes } from 'node:crypto';
import type { Event, Pod } from '../api/core.js';
import type { Client } from '../client/client.js';
import { R } from '../client/resources.js';
import { logger, errorText } from '../util/log.js';

const log = logger('node');

export type EventType = 'Normal' | 'Warning';

export interface PodEventSink {
  /** `container`: the container the event is about, or undefined for the pod itself. */
  podEvent(pod: Pod, container: string | undefined, type: EventType, reason: string, message: string): void;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  first: string;
  at: number;
}

export class KubeletEventRecorder implements PodEventSink {
  private readonly seen = new Map<string, Seen>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: Client,
    private readonly nodeName: string,
  ) {}

  podEvent(pod: Pod, container: string | undefined, type: EventType, reason: string, message: string): void {
    const ns = pod.metadata.namespace ?? 'default';
    const fieldPath = container === undefined ? undefined : `spec.containers{${container}}`;
    const key = [ns, pod.metadata.uid, fieldPath ?? '', type, reason, message].join('\x00');
    const now = new Date();
    const ts = now.toISOString().replace(/\.\d+Z$/, 'Z');
    // Events are best effort and ordered: one write at a time, failures only logged.
    this.chain = this.chain.then(async () => {
      try {
        const prev = this.seen.get(key);
        if (prev && now.getTime() - prev.at < 10 * 60_000) {
          prev.count++;
          prev.at = now.getTime();
          await this.client.patch(R.events, prev.namespace, prev.name, 'merge', { count: prev.count, lastTimestamp: ts });
          return;
        }
        const ev: Event = {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `${pod.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: ns },
          involvedObject: {
            kind: 'Pod',
            namespace: ns,
            name: pod.metadata.name,
            uid: pod.metadata.uid,
            apiVersion: 'v1',
            resourceVersion: pod.metadata.resourceVersion,
            ...(fieldPath ? { fieldPath } : {}),
          },
          reason,
          message,
          source: { component: 'kubelet', host: this.nodeName },
          firstTimestamp: ts,
          lastTimestamp: ts,
          count: 1,
          type,
          eventTime: null,
          reportingComponent: 'kubelet',
          reportingInstance: this.nodeName,
        };
        const created = await this.client.create(R.events, ns, ev);
        this.seen.set(key, { name: created.metadata.name!, namespace: ns, count: 1, first: ts, at: now.getTime() });
        if (this.seen.size > 4096) this.seen.delete(this.seen.keys().next().value!);
      } catch (e) {
        log.debug(`event ${reason} for pod ${ns}/${pod.metadata.name}: ${errorText(e)}`);
      }
    });
  }

  /** Resolves once every event recorded so far has been written (or has failed). */
  flush(): Promise<void> {
    return this.chain;
  }
}
