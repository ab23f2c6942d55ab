// Containers of a PodSpec: names, images, ports, env, pull policy, probes, host-port clashes.
import { validateResourceRequirements } from './resources.js';
import { fieldErr, type FieldError, type Path } from '../../machinery/field.js';
import type { Container, ContainerPort, EnvVar, Probe } from '../core.js';
import { isDNS1123Label, isValidPortName, isValidPortNum } from './names.js';
import { validateLivenessOrStartupProbe, validateReadinessProbe, validateHandler } from './probe.js';
import { supportedPortProtocols } from './service-ports.js';

function validateContainerPorts(ports: ContainerPort[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const p = path.index(i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) for (const m of msgs) errs.push(fieldErr.invalid(p.child('name'), port.name, m));
      else if (names.has(port.name)) errs.push(fieldErr.duplicate(p.child('name'), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(fieldErr.required(p.child('containerPort'), ''));
    else for (const m of isValidPortNum(port.containerPort)) errs.push(fieldErr.invalid(p.child('containerPort'), port.containerPort, m));
    if (port.hostPort) for (const m of isValidPortNum(port.hostPort)) errs.push(fieldErr.invalid(p.child('hostPort'), port.hostPort, m));
    if (!port.protocol) errs.push(fieldErr.required(p.child('protocol'), ''));
    else if (!(supportedPortProtocols as readonly string[]).includes(port.protocol)) {
      errs.push(fieldErr.notSupported(p.child('protocol'), port.protocol, supportedPortProtocols));
    }
  });
  return errs;
}

const relaxedEnvVarNameMsg = "a valid environment variable name must consist only of printable ASCII characters other than '='";

function validateEnv(env: EnvVar[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((ev, i) => {
    const p = path.index(i);
    // 1.32 validates names with RelaxedEnvironmentVariableValidation (beta, on by default).
    if (!ev.name) errs.push(fieldErr.required(p.child('name'), ''));
    else if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(ev.name)) errs.push(fieldErr.invalid(p.child('name'), ev.name, relaxedEnvVarNameMsg));
    if (ev.valueFrom !== undefined && ev.valueFrom !== null) {
      const vf = ev.valueFrom as Record<string, unknown>;
      const n = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => vf[k] !== undefined && vf[k] !== null).length;
      const vp = p.child('valueFrom');
      if (n === 0) errs.push(fieldErr.invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      else if (ev.value) errs.push(fieldErr.invalid(vp, '', 'may not be specified when `value` is not empty'));
      else if (n > 1) errs.push(fieldErr.invalid(vp, '', 'may not have more than one field specified at a time'));
    }
  });
  return errs;
}

function validateContainerCommon(c: Container, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(fieldErr.required(path.child('name'), ''));
  else for (const m of isDNS1123Label(c.name)) errs.push(fieldErr.invalid(path.child('name'), c.name, m));
  if (!c.image) errs.push(fieldErr.required(path.child('image'), ''));
  errs.push(...validateResourceRequirements(c.resources, path.child('resources')));
  const tmp = c.terminationMessagePolicy ?? '';
  if (tmp === '') errs.push(fieldErr.required(path.child('terminationMessagePolicy'), ''));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(fieldErr.notSupported(path.child('terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  }
  errs.push(...validateContainerPorts(c.ports, path.child('ports')));
  errs.push(...validateEnv(c.env, path.child('env')));
  const pull = c.imagePullPolicy ?? '';
  if (pull === '') errs.push(fieldErr.required(path.child('imagePullPolicy'), ''));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pull)) {
    errs.push(fieldErr.notSupported(path.child('imagePullPolicy'), pull, ['Always', 'IfNotPresent', 'Never']));
  }
  return errs;
}

interface Lifecycle {
  postStart?: Parameters<typeof validateHandler>[0];
  preStop?: Parameters<typeof validateHandler>[0];
}

function validateLifecycle(lc: Lifecycle, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (lc.postStart) errs.push(...validateHandler(lc.postStart, path.child('postStart')));
  if (lc.preStop) errs.push(...validateHandler(lc.preStop, path.child('preStop')));
  return errs;
}

/** AccumulateUniqueHostPorts: one hostPort per (protocol, hostIP) across the given containers. */
export function checkHostPortConflicts(containers: Container[], path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    (c.ports ?? []).forEach((p, pi) => {
      if (!p.hostPort) return;
      const key = `${p.protocol ?? ''}/${p.hostIP ?? ''}/${p.hostPort}`;
      if (seen.has(key)) errs.push(fieldErr.duplicate(path.index(ci).child('ports').index(pi).child('hostPort'), key));
      else seen.add(key);
    });
  });
  return errs;
}

export function validateContainers(containers: Container[] | undefined, path: Path): FieldError[] {
  const list = containers ?? [];
  if (list.length === 0) return [fieldErr.required(path, '')];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, p));
    if (names.has(c.name)) errs.push(fieldErr.duplicate(p.child('name'), c.name));
    else names.add(c.name);
    if (c['lifecycle']) errs.push(...validateLifecycle(c['lifecycle'] as Lifecycle, p.child('lifecycle')));
    errs.push(...validateLivenessOrStartupProbe(c.livenessProbe, p.child('livenessProbe')));
    errs.push(...validateReadinessProbe(c.readinessProbe, p.child('readinessProbe')));
    errs.push(...validateLivenessOrStartupProbe(c.startupProbe, p.child('startupProbe')));
    if (c['restartPolicy'] !== undefined && c['restartPolicy'] !== null) {
      errs.push(fieldErr.forbidden(p.child('restartPolicy'), 'may not be set for non-init containers'));
    }
  });
  errs.push(...checkHostPortConflicts(list, path));
  return errs;
}

export function validateInitContainers(inits: Container[] | undefined, regular: Container[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set((regular ?? []).map((c) => c.name));
  (inits ?? []).forEach((c, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, p));
    const rp = c['restartPolicy'];
    let sidecar = false;
    if (rp !== undefined && rp !== null) {
      if (rp !== 'Always') errs.push(fieldErr.notSupported(p.child('restartPolicy'), rp, ['Always']));
      sidecar = rp === 'Always';
    }
    if (names.has(c.name)) errs.push(fieldErr.duplicate(p.child('name'), c.name));
    else if (c.name) names.add(c.name);
    // Init containers run one at a time, so host ports only clash within one container.
    errs.push(...checkHostPortConflicts([c], path));
    if (sidecar) {
      if (c['lifecycle']) errs.push(...validateLifecycle(c['lifecycle'] as Lifecycle, p.child('lifecycle')));
      errs.push(...validateLivenessOrStartupProbe(c.livenessProbe, p.child('livenessProbe')));
      errs.push(...validateReadinessProbe(c.readinessProbe, p.child('readinessProbe')));
      errs.push(...validateLivenessOrStartupProbe(c.startupProbe, p.child('startupProbe')));
    } else {
      const why = 'may not be set for init containers without restartPolicy=Always';
      if (c['lifecycle']) errs.push(fieldErr.forbidden(p.child('lifecycle'), why));
      for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        if ((c[k] as Probe | undefined) !== undefined && c[k] !== null) errs.push(fieldErr.forbidden(p.child(k), why));
      }
    }
  });
  return errs;
}
