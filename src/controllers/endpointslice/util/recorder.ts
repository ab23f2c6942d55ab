// The endpoint and LoadBalancer controllers record events through the controllers' common
// Recorder (upstream's recorder.Event); the client's EventRecorder has the same shape.
import type { KubeObject } from '../../../api/meta.js';

export type { Recorder as EventSink } from '../../common/recorder.js';

/** Events need the object's kind for their involvedObject; cached list items may lack it. */
export function withKind<T extends KubeObject>(obj: T, apiVersion: string, kind: string): T {
  return { ...obj, apiVersion, kind };
}
