// What controllers need from an event recorder: upstream's recorder.Eventf(obj, type, reason, msg).
// The client's EventRecorder is adapted to this in manager.ts, so tests can pass a fake.
import type { KubeObject } from '../../api/meta.js';

export type EventType = 'Normal' | 'Warning';

export interface Recorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export const noopRecorder: Recorder = { event() {} };

/** Events need the object's kind for their involvedObject; cached list items may lack it. */
export function withKind<T extends KubeObject>(obj: T, apiVersion: string, kind: string): T {
  return { ...obj, apiVersion, kind };
}
