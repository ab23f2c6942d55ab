// client-go's event recorder for core/v1 Events: each call writes an Event about an object,
// named `<object name>.<hex nanoseconds>` in the object's namespace ("default" for cluster-scoped
// objects). The correlator (event-correlator.ts) folds repeats within ten minutes into one
// Event whose count and lastTimestamp are patched, aggregates floods of similar messages and
// drops spam, as client-go's does. Recording never throws: failures are logged.
import type { KubeObject } from '../api/meta.js';
import type { Event, ObjectReference } from '../api/core.js';
import { isNotFound } from '../machinery/status.js';
import { logger, errorText } from '../util/log.js';
import type { Client } from './client.js';
import { R } from './resources.js';
import { EventCorrelator, eventTimestamp, type CorrelateResult } from './event-correlator.js';

const log = logger('events');

export interface EventRecorderOptions {
  /** The clock (tests). */
  now?: () => Date;
}

export class EventRecorder {
  private readonly correlator: EventCorrelator;
  private readonly now: () => Date;
  /** Writes go one at a time, in call order, so a repeat's patch always follows its create. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: Client,
    private readonly component: string,
    private readonly host?: string,
    opts: EventRecorderOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.correlator = new EventCorrelator(this.now);
  }

  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    let result: CorrelateResult;
    try {
      const ref = referenceTo(obj);
      result = this.correlator.correlate(this.makeEvent(ref, type, reason, message));
    } catch (e) {
      log.error(`event ${reason} was not recorded`, errorText(e));
      return;
    }
    if (result.skip) {
      log.debug(`event ${reason} about ${describe(result.event.involvedObject)} dropped by the spam filter`);
      return;
    }
    this.chain = this.chain
      .then(() => this.write(result))
      .catch((e: unknown) => {
        log.error(`event ${reason} about ${describe(result.event.involvedObject)} was not recorded`, errorText(e));
      });
  }

  /** Resolves once every event recorded so far has been written (or failed). */
  flush(): Promise<void> {
    return this.chain;
  }

  private makeEvent(ref: ObjectReference, type: 'Normal' | 'Warning', reason: string, message: string): Event {
    const at = this.now();
    const ts = eventTimestamp(at);
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: this.correlator.eventName(ref.name ?? '', at), namespace: ref.namespace || 'default' },
      involvedObject: ref,
      reason,
      message,
      source: { component: this.component, ...(this.host ? { host: this.host } : {}) },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      reportingComponent: this.component,
      reportingInstance: this.host ?? '',
    };
  }

  private async write(r: CorrelateResult): Promise<void> {
    const ns = r.event.metadata.namespace!;
    if (r.patch) {
      try {
        await this.client.patch(R.events, ns, r.event.metadata.name!, 'strategic', r.patch);
        return;
      } catch (e) {
        // Deleted meanwhile (or expired): create it again under the same name, count kept.
        if (!isNotFound(e)) throw e;
      }
    }
    await this.client.create<Event>(R.events, ns, r.event);
  }
}

function describe(ref: ObjectReference): string {
  return `${ref.kind ? ref.kind + ' ' : ''}${ref.namespace ? ref.namespace + '/' : ''}${ref.name ?? ''}`;
}

/** client-go's reference.GetReference: who the event is about. */
export function referenceTo(obj: KubeObject): ObjectReference {
  if (!obj?.metadata?.name) throw new Error('the object has no name');
  const ref: ObjectReference = { name: obj.metadata.name };
  if (obj.kind) ref.kind = obj.kind;
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  if (obj.metadata.uid) ref.uid = obj.metadata.uid;
  if (obj.apiVersion) ref.apiVersion = obj.apiVersion;
  if (obj.metadata.resourceVersion) ref.resourceVersion = obj.metadata.resourceVersion;
  return ref;
}
