// networking.k8s.io/v1 Ingress and IngressClass: HTTP routing by host and path into Services, and
// which controller serves which Ingresses.
import type { KubeObject } from './meta.js';

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export interface ServiceBackendPort {
  name?: string;
  number?: number;
}

export interface IngressServiceBackend {
  name?: string;
  port?: ServiceBackendPort;
}

export interface TypedLocalObjectReference {
  apiGroup?: string | null;
  kind?: string;
  name?: string;
}

export interface IngressBackend {
  service?: IngressServiceBackend | null;
  resource?: TypedLocalObjectReference | null;
}

export interface HTTPIngressPath {
  path?: string;
  pathType?: PathType | string | null;
  backend?: IngressBackend;
}

export interface IngressRule {
  host?: string;
  http?: { paths?: HTTPIngressPath[] | null } | null;
}

export interface IngressTLS {
  hosts?: string[] | null;
  secretName?: string;
}

export interface IngressPortStatus {
  port?: number;
  protocol?: string;
  error?: string;
}

export interface IngressLoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ports?: IngressPortStatus[];
}

export interface IngressSpec {
  ingressClassName?: string | null;
  defaultBackend?: IngressBackend | null;
  tls?: IngressTLS[] | null;
  rules?: IngressRule[] | null;
}

export interface Ingress extends KubeObject {
  spec?: IngressSpec;
  status?: { loadBalancer?: { ingress?: IngressLoadBalancerIngress[] | null } };
}

export interface IngressClassParametersReference {
  apiGroup?: string | null;
  kind?: string;
  name?: string;
  scope?: string | null;
  namespace?: string | null;
}

export interface IngressClass extends KubeObject {
  spec?: { controller?: string; parameters?: IngressClassParametersReference | null };
}

/** The legacy class annotation, still honoured by the default-class admission and validation. */
export const AnnotationIngressClass = 'kubernetes.io/ingress.class';
/** Marks the IngressClass that Ingresses naming no class get. */
export const AnnotationIsDefaultIngressClass = 'ingressclass.kubernetes.io/is-default-class';

export function isDefaultIngressClass(c: IngressClass): boolean {
  return c.metadata.annotations?.[AnnotationIsDefaultIngressClass] === 'true';
}
