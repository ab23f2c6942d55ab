// Runs one probe of a container once: picks the handler, resolves named ports against the
// container's ports, and targets the pod IP unless the probe names a host.
import type { Container, Probe } from '../../api/core.js';
import { execProbe } from './exec.js';
import { httpProbe } from './http.js';
import { tcpProbe } from './tcp.js';
import type { ProbeOutcome } from './types.js';
import { volumeMountPaths } from '../runtime/exec-prefix.js';

export interface ProbeContext {
  podIP: string;
  container: Container;
  env: Record<string, string>;
  /** The pod network's argv prefix that exec probes start behind (PodNetwork.execPrefix). */
  execPrefix?: string[];
  /** How to run a command inside the container, when its runtime has its own (ContainerHandle.execArgv). */
  inContainer?: (command: string[], cwd?: string) => string[];
}

/** A port number, or a container port's name (upstream's findPortByName). */
export function resolvePort(port: number | string, container: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

export function timeoutMs(probe: Probe): number {
  return Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
}

export async function runProbe(probe: Probe, ctx: ProbeContext): Promise<ProbeOutcome> {
  const timeout = timeoutMs(probe);
  if (probe.exec) {
    return execProbe({ command: probe.exec.command ?? [], env: ctx.env, cwd: ctx.container.workingDir, execPrefix: ctx.execPrefix, inContainer: ctx.inContainer, mountPaths: volumeMountPaths(ctx.container) }, timeout);
  }
  if (probe.httpGet) {
    const g = probe.httpGet;
    const port = resolvePort(g.port, ctx.container);
    if (port === undefined) return { result: 'failure', output: `couldn't find port: ${String(g.port)} in ${ctx.container.name}` };
    return httpProbe(
      {
        scheme: g.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP',
        host: g.host || ctx.podIP,
        port,
        path: g.path ?? '/',
        headers: g.httpHeaders ?? [],
      },
      timeout,
    );
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, ctx.container);
    if (port === undefined) return { result: 'failure', output: `couldn't find port: ${String(probe.tcpSocket.port)} in ${ctx.container.name}` };
    return tcpProbe(probe.tcpSocket.host || ctx.podIP, port, timeout);
  }
  if (probe.grpc) return { result: 'failure', output: 'grpc probes are not supported by kubesvc yet' };
  return { result: 'failure', output: 'missing probe handler' };
}
