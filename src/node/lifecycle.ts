// Container lifecycle hooks (postStart, preStop), as the kubelet's handler runner: exec runs the
// command with the container's environment, httpGet calls the pod, sleep waits. A failing
// postStart kills the container; preStop runs before SIGTERM and uses up the grace period.
import type { Container } from '../api/core.js';
import { execProbe } from './prober/exec.js';
import { httpProbe } from './prober/http.js';
import { resolvePort } from './prober/prober.js';
import { volumeMountPaths } from './runtime/exec-prefix.js';

export interface LifecycleHandler {
  exec?: { command?: string[] };
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string; httpHeaders?: { name: string; value: string }[] };
  sleep?: { seconds: number };
}

export function lifecycleOf(c: Container): { postStart?: LifecycleHandler; preStop?: LifecycleHandler } {
  return (c.lifecycle as { postStart?: LifecycleHandler; preStop?: LifecycleHandler } | undefined) ?? {};
}

export interface HookContext {
  podIP: string;
  container: Container;
  env: Record<string, string>;
  /** "name_namespace(uid)" for messages. */
  podRef: string;
  /** The pod network's argv prefix that exec hooks start behind (PodNetwork.execPrefix). */
  execPrefix?: string[];
  /** How to run a command inside the container, when its runtime has its own (ContainerHandle.execArgv). */
  inContainer?: (command: string[], cwd?: string) => string[];
}

/** Runs a hook; resolves undefined on success, or upstream-style failure text. */
export async function runHook(h: LifecycleHandler, ctx: HookContext, timeoutMs: number): Promise<string | undefined> {
  const where = `for Container "${ctx.container.name}" in Pod "${ctx.podRef}" failed`;
  if (h.exec) {
    const command = h.exec.command ?? [];
    const r = await execProbe({ command, env: ctx.env, cwd: ctx.container.workingDir, execPrefix: ctx.execPrefix, inContainer: ctx.inContainer, mountPaths: volumeMountPaths(ctx.container) }, timeoutMs);
    if (r.result === 'success') return undefined;
    return `Exec lifecycle hook ([${command.join(' ')}]) ${where} - error: ${r.output.trim()}`;
  }
  if (h.httpGet) {
    const g = h.httpGet;
    const port = resolvePort(g.port, ctx.container);
    if (port === undefined) return `HTTP lifecycle hook (${g.path ?? '/'}) ${where} - error: couldn't find port: ${String(g.port)}`;
    const r = await httpProbe(
      { scheme: g.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP', host: g.host || ctx.podIP, port, path: g.path ?? '/', headers: g.httpHeaders ?? [] },
      timeoutMs,
    );
    if (r.result === 'success') return undefined;
    return `HTTP lifecycle hook (${g.path ?? '/'}) ${where} - error: ${r.output}`;
  }
  if (h.sleep) {
    await new Promise((r) => setTimeout(r, Math.min(h.sleep!.seconds * 1000, timeoutMs)));
    return undefined;
  }
  return undefined;
}
