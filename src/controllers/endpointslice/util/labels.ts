// Well-known labels and annotations of discovery.k8s.io and core/v1 that the endpoint
// controllers read and write (k8s.io/api's constants, spelled once here).

/** Which Service an EndpointSlice belongs to. */
export const LabelServiceName = 'kubernetes.io/service-name';
/** Which controller manages an EndpointSlice; each controller touches only its own. */
export const LabelManagedBy = 'endpointslice.kubernetes.io/managed-by';
/** On Endpoints: "true" keeps the mirroring controller away (the API server's own `kubernetes`). */
export const LabelSkipMirror = 'endpointslice.kubernetes.io/skip-mirror';
/** On Endpoints and EndpointSlices of a headless Service (no ClusterIP). */
export const IsHeadlessService = 'service.kubernetes.io/headless';

/** When the change that led to this endpoints object happened (kube-proxy measures programming latency from it). */
export const EndpointsLastChangeTriggerTime = 'endpoints.kubernetes.io/last-change-trigger-time';
/** Set to "truncated" when an Endpoints object was capped at 1000 addresses. */
export const EndpointsOverCapacity = 'endpoints.kubernetes.io/over-capacity';
/** kubectl apply's record; never copied onto mirrored slices. */
export const LastAppliedConfigAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
/** Leader-election records once lived on Endpoints objects; such objects are not Service endpoints. */
export const LeaderElectionRecordAnnotationKey = 'control-plane.alpha.kubernetes.io/leader';

export const EndpointSliceControllerName = 'endpointslice-controller.k8s.io';
export const EndpointSliceMirroringControllerName = 'endpointslicemirroring-controller.k8s.io';
