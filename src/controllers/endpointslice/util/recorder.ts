// What the endpoint and LoadBalancer controllers need from an event recorder: upstream's
// recorder.Event(obj, type, reason, message). The client's EventRecorder has this shape, and so
// does the controllers' common Recorder, so either (or a test fake) can be passed.
import type { KubeObject } from '../../../api/meta.js';

export interface EventSink {
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** Events need the object's kind for their involvedObject; cached list items may lack it. */
export function withKind<T extends KubeObject>(obj: T, apiVersion: string, kind: string): T {
  return { ...obj, apiVersion, kind };
}
