// A container's environment, as the kubelet builds it (pkg/kubelet/kubelet_pods.go and
// pkg/kubelet/envvars): Docker-link style variables for Services, the container's own env with
// $(VAR) references expanded and fieldRefs resolved, plus what kubesvc's networking needs the
// process to know (POD_IP, which it must bind in loopback mode, and which pod network it is in).
import type { Container, Pod, Service } from '../api/core.js';
import { isEnvVarName } from '../api/validation/names.js';
import { ContainerConfigError, fieldRefValue, resourceFieldValue, type ObjectFieldSelector, type ResourceFieldSelector } from './downward-api.js';
import { POD_NETWORK_ENV, type PodNetwork } from './pod-network.js';
import { getConfigMap, getSecret, noPodObjects, ObjectNotFoundError, secretBytes, type PodObjects } from './pod-objects.js';

export { ContainerConfigError } from './downward-api.js';

function envName(s: string): string {
  return s.replace(/-/g, '_').toUpperCase();
}

function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

/** Upstream's FromServices: HOST/PORT variables and Docker link variables per Service, in order. */
export function serviceEnvVars(services: Service[]): [string, string][] {
  const out: [string, string][] = [];
  for (const svc of services) {
    if (!isServiceIPSet(svc)) continue;
    const ports = svc.spec.ports ?? [];
    if (ports.length === 0) continue;
    const prefix = envName(svc.metadata.name ?? '');
    const ip = svc.spec.clusterIP!;
    out.push([`${prefix}_SERVICE_HOST`, ip]);
    out.push([`${prefix}_SERVICE_PORT`, String(ports[0]!.port)]);
    for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
    ports.forEach((p, i) => {
      const proto = p.protocol ?? 'TCP';
      const hostPort = ip.includes(':') ? `[${ip}]:${p.port}` : `${ip}:${p.port}`;
      const url = `${proto.toLowerCase()}://${hostPort}`;
      // Docker special-cases the first port.
      if (i === 0) out.push([`${prefix}_PORT`, url]);
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push([pp, url], [`${pp}_PROTO`, proto.toLowerCase()], [`${pp}_PORT`, String(p.port)], [`${pp}_ADDR`, ip]);
    });
  }
  return out;
}

/**
 * The Services whose variables a pod gets: those of its namespace when enableServiceLinks is not
 * false, and always `kubernetes` in `default` (a same-named Service of the pod's namespace wins).
 */
export function servicesForPod(pod: Pod, all: Service[]): Service[] {
  const ns = pod.metadata.namespace ?? 'default';
  const links = pod.spec.enableServiceLinks !== false;
  const byName = new Map<string, Service>();
  for (const svc of all) {
    if (!isServiceIPSet(svc)) continue;
    const name = svc.metadata.name ?? '';
    if (svc.metadata.namespace === 'default' && name === 'kubernetes') {
      if (!byName.has(name)) byName.set(name, svc);
    } else if (svc.metadata.namespace === ns && links) {
      byName.set(name, svc);
    }
  }
  return [...byName.values()].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** Kubernetes' $(VAR) expansion: `$$` escapes, unknown references stay as written. */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const v = lookup(name);
      out += v ?? `$(${name})`;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

export interface EnvContext {
  pod: Pod;
  container: Container;
  nodeName: string;
  /** Services visible to the pod (servicesForPod), as they were when the container starts. */
  services: Service[];
  /** The cluster DNS server and domain (kubelet's --cluster-dns and --cluster-domain). */
  clusterDNS?: string;
  clusterDomain?: string;
  /** The kind of pod network the agent runs (default loopback), for POD_NETWORK_ENV. */
  podNetwork?: PodNetwork['kind'];
  /** ConfigMaps, Secrets and node allocatable for valueFrom and envFrom (default: none exist). */
  objects?: PodObjects;
  /** Warning events about the env (InvalidEnvironmentVariableNames), as the kubelet records them. */
  warn?: (reason: string, message: string) => void;
}

interface KeySelector {
  name?: string;
  key?: string;
  optional?: boolean;
}

interface EnvVarSource {
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  configMapKeyRef?: KeySelector;
  secretKeyRef?: KeySelector;
}

interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name?: string; optional?: boolean };
  secretRef?: { name?: string; optional?: boolean };
}

/**
 * envFrom as the kubelet's makeEnvironmentVariables: every key of each ConfigMap or Secret (with
 * the prefix), later sources winning; keys that are not valid variable names are skipped with an
 * InvalidEnvironmentVariableNames event; a missing object fails unless the reference is optional.
 */
function envFromSources(ctx: EnvContext, objects: PodObjects, into: Map<string, string>): void {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  for (const src of (ctx.container.envFrom ?? []) as EnvFromSource[]) {
    const ref = src.configMapRef ?? src.secretRef;
    if (!ref) continue;
    const kind = src.configMapRef ? 'configMap' : 'secret';
    let values: [string, string][];
    try {
      values = src.configMapRef
        ? Object.entries(getConfigMap(objects, ns, ref.name ?? '').data ?? {})
        : [...secretBytes(getSecret(objects, ns, ref.name ?? ''))].map(([k, v]) => [k, v.toString('utf8')]);
    } catch (e) {
      if (e instanceof ObjectNotFoundError && ref.optional) continue;
      throw e;
    }
    const invalid: string[] = [];
    for (const [key, value] of values) {
      const name = (src.prefix ?? '') + key;
      if (isEnvVarName(name).length > 0) invalid.push(name);
      else into.set(name, value);
    }
    if (invalid.length > 0) {
      ctx.warn?.(
        'InvalidEnvironmentVariableNames',
        `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${kind} ${ns}/${ref.name ?? ''} were skipped since they are considered invalid environment variable names.`,
      );
    }
  }
}

/** One env entry's valueFrom; undefined when an optional reference finds nothing. */
function envVarSourceValue(ctx: EnvContext, objects: PodObjects, from: EnvVarSource): string | undefined {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  if (from.fieldRef?.fieldPath) return fieldRefValue(ctx.pod, from.fieldRef.fieldPath);
  if (from.resourceFieldRef) return resourceFieldValue(ctx.pod, ctx.container, from.resourceFieldRef, objects.allocatable());
  const ref = from.configMapKeyRef ?? from.secretKeyRef;
  if (!ref) return undefined;
  const key = ref.key ?? '';
  const name = ref.name ?? '';
  try {
    if (from.configMapKeyRef) {
      const data = getConfigMap(objects, ns, name).data ?? {};
      if (Object.prototype.hasOwnProperty.call(data, key)) return data[key];
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
    }
    const data = secretBytes(getSecret(objects, ns, name));
    const v = data.get(key);
    if (v !== undefined) return v.toString('utf8');
    if (ref.optional) return undefined;
    throw new ContainerConfigError(`couldn't find key ${key} in Secret ${ns}/${name}`);
  } catch (e) {
    if (e instanceof ObjectNotFoundError && ref.optional) return undefined;
    throw e;
  }
}

/**
 * A pod's resolver settings, which a kubelet writes into the pod's resolv.conf. Processes here
 * share the machine's /etc/resolv.conf, so the built-in images read them from
 * KUBESVC_DNS_SERVER and KUBESVC_DNS_SEARCH (comma-separated) instead.
 */
export function dnsEnv(pod: Pod, clusterDNS: string | undefined, clusterDomain = 'cluster.local'): Record<string, string> {
  let policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  // Upstream: a host-network pod with ClusterFirst uses the node's resolver.
  if (policy === 'ClusterFirst' && pod.spec.hostNetwork) policy = 'Default';
  const servers: string[] = [];
  const search: string[] = [];
  if ((policy === 'ClusterFirst' || policy === 'ClusterFirstWithHostNet') && clusterDNS) {
    const ns = pod.metadata.namespace ?? 'default';
    servers.push(clusterDNS);
    search.push(`${ns}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain);
  }
  servers.push(...(pod.spec.dnsConfig?.nameservers ?? []));
  search.push(...(pod.spec.dnsConfig?.searches ?? []));
  const out: Record<string, string> = {};
  if (servers.length) out.KUBESVC_DNS_SERVER = servers.join(',');
  if (search.length) out.KUBESVC_DNS_SEARCH = search.join(',');
  return out;
}

/**
 * The complete environment of a container's processes. `pod.status.podIP`/`hostIP` must already
 * hold the addresses the pod is about to get, so fieldRefs to them resolve.
 */
export function buildContainerEnv(ctx: EnvContext, base: Record<string, string> = {}): Record<string, string> {
  const { pod, container } = ctx;
  const env: Record<string, string> = { ...base };
  const podIP = pod.status?.podIP ?? '';
  env.HOSTNAME = pod.spec.hostname ?? pod.metadata.name ?? '';
  env.POD_NAME = pod.metadata.name ?? '';
  env.POD_NAMESPACE = pod.metadata.namespace ?? '';
  env.POD_IP = podIP;
  env.NODE_NAME = ctx.nodeName;
  // The built-in images bind POD_IP in loopback mode but the wildcard in a netns of their own.
  env[POD_NETWORK_ENV] = ctx.podNetwork ?? 'loopback';
  Object.assign(env, dnsEnv(pod, ctx.clusterDNS, ctx.clusterDomain));
  const serviceEnv = new Map(serviceEnvVars(ctx.services));
  for (const [k, v] of serviceEnv) env[k] = v;
  const objects = ctx.objects ?? noPodObjects;
  // Variables from envFrom come first; env entries override them. Later variables may refer to
  // earlier ones and to the Service variables, as upstream allows.
  const declared = new Map<string, string>();
  envFromSources(ctx, objects, declared);
  for (const ev of container.env ?? []) {
    let value: string | undefined;
    const from = ev.valueFrom as EnvVarSource | undefined;
    if (from) {
      value = envVarSourceValue(ctx, objects, from);
      if (value === undefined) continue;
    } else {
      value = expand(ev.value ?? '', (n) => declared.get(n) ?? serviceEnv.get(n));
    }
    declared.set(ev.name, value);
  }
  for (const [k, v] of declared) env[k] = v;
  return env;
}

/** Upstream's ExpandContainerCommandAndArgs: $(VAR) in command and args from the container's env. */
export function expandCommand(container: Container, env: Record<string, string>): { command?: string[]; args?: string[] } {
  const lookup = (n: string) => (Object.prototype.hasOwnProperty.call(env, n) ? env[n] : undefined);
  const out: { command?: string[]; args?: string[] } = {};
  if (container.command) out.command = container.command.map((c) => expand(c, lookup));
  if (container.args) out.args = container.args.map((a) => expand(a, lookup));
  return out;
}
