// Informer wiring (upstream's pkg/proxy/config): Service and EndpointSlice events, and this
// node's own Node object, go to the proxier's change trackers and nothing else.
import type { Node, Service } from '../api/core.js';
import type { EndpointSlice } from '../api/discovery.js';
import type { Informer, InformerFactory } from '../client/informer-types.js';
import { R } from '../client/resources.js';
import type { Proxier } from './proxier.js';

/** A Service (and its slices) with this label belongs to another proxy implementation. */
export const LabelServiceProxyName = 'service.kubernetes.io/service-proxy-name';
/** The endpoint controllers put this on a headless Service's EndpointSlices. */
export const LabelHeadlessService = 'service.kubernetes.io/headless';

/**
 * What upstream's kube-proxy lists and watches Services and EndpointSlices with
 * (cmd/kube-proxy/app/server.go: one informer factory tweaked with the requirements
 * "service-proxy-name does not exist" and "headless does not exist", as labels.Selector
 * prints them): objects naming another proxy, and headless Services' slices, never reach the
 * proxier, in every mode.
 */
export const proxyLabelSelector = `!${LabelHeadlessService},!${LabelServiceProxyName}`;

/** Returns the informers used, so the caller can wait for exactly these to sync. */
export function registerProxyHandlers(informers: InformerFactory, proxier: Proxier, nodeName: string): Informer[] {
  const services = informers.informer<Service>(R.services, { labelSelector: proxyLabelSelector });
  const slices = informers.informer<EndpointSlice>(R.endpointslices, { labelSelector: proxyLabelSelector });
  const node = informers.informer<Node>(R.nodes, { fieldSelector: `metadata.name=${nodeName}` });
  services.addEventHandler({
    onAdd: (svc) => proxier.onServiceUpdate(undefined, svc),
    onUpdate: (oldSvc, svc) => proxier.onServiceUpdate(oldSvc, svc),
    onDelete: (svc) => proxier.onServiceUpdate(svc, undefined),
  });
  slices.addEventHandler({
    onAdd: (slice) => proxier.onEndpointSliceUpdate(slice, false),
    onUpdate: (_old, slice) => proxier.onEndpointSliceUpdate(slice, false),
    onDelete: (slice) => proxier.onEndpointSliceUpdate(slice, true),
  });
  node.addEventHandler({
    onAdd: (node) => proxier.onNodeUpdate(node),
    onUpdate: (_old, node) => proxier.onNodeUpdate(node),
    onDelete: () => proxier.onNodeDelete(),
  });
  return [services, slices, node] as unknown as Informer[];
}
