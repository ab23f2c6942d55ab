// SetDefaults_Container, SetDefaults_Probe, SetDefaults_HTTPGetAction, and the container
// port protocol default, applied to every container of a PodSpec.
import type { Container, Probe } from '../core.js';
import { imageTag } from './image.js';

export function setDefaultsProbe(p: Probe | undefined): void {
  if (!p) return;
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  setDefaultsHTTPGet(p.httpGet);
}

function setDefaultsHTTPGet(g: { path?: string; scheme?: string } | undefined): void {
  if (!g) return;
  if (!g.path) g.path = '/';
  if (!g.scheme) g.scheme = 'HTTP';
}

interface Handlers {
  postStart?: { httpGet?: { path?: string; scheme?: string } };
  preStop?: { httpGet?: { path?: string; scheme?: string } };
}

export function setDefaultsContainer(c: Container): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(c.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const p of c.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
  for (const e of c.env ?? []) {
    const fieldRef = (e.valueFrom as { fieldRef?: { apiVersion?: string } } | undefined)?.fieldRef;
    if (fieldRef && !fieldRef.apiVersion) fieldRef.apiVersion = 'v1';
  }
  setDefaultsProbe(c.livenessProbe);
  setDefaultsProbe(c.readinessProbe);
  setDefaultsProbe(c.startupProbe);
  const lc = c['lifecycle'] as Handlers | undefined;
  setDefaultsHTTPGet(lc?.postStart?.httpGet);
  setDefaultsHTTPGet(lc?.preStop?.httpGet);
}
