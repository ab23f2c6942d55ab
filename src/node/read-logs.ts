// pods/log for pods on this machine's agents: finds the agent that runs the pod and streams the
// container's current or previous log, with upstream's errors for the usual mistakes.
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { errors } from '../machinery/status.js';
import { readLogFile, type LogOptions } from './log-reader.js';
import { containerLogPath } from './logs.js';

export type { LogOptions };

/** What an agent tells readLogs about one of its pods. */
export interface PodLogInfo {
  dataDir: string;
  uid: string;
  containers: string[];
  /** Restart count and whether the container has run at all, per container. */
  container(name: string): { restartCount: number; everStarted: boolean; waitingReason?: string } | undefined;
}

export interface LogSource {
  podLogInfo(namespace: string, name: string): PodLogInfo | undefined;
}

const sources = new Set<LogSource>();

export function registerLogSource(s: LogSource): () => void {
  sources.add(s);
  return () => sources.delete(s);
}

const pods = { group: '', resource: 'pods' };

/**
 * The log of `container` (or the pod's only container) of pod `namespace/name` as a stream.
 * Throws StatusErrors: 404 for an unknown pod, 400 for a wrong or missing container name, a
 * container that has not started, or `previous` without an earlier run.
 */
export function readLogs(namespace: string, pod: string, container: string | undefined, opts: LogOptions = {}): Readable {
  let info: PodLogInfo | undefined;
  for (const s of sources) {
    info = s.podLogInfo(namespace, pod);
    if (info) break;
  }
  if (!info) throw errors.notFound(pods, pod);
  let name = container;
  if (!name) {
    if (info.containers.length !== 1) {
      throw errors.badRequest(`a container name must be specified for pod ${pod}, choose one of: [${info.containers.join(' ')}]`);
    }
    name = info.containers[0]!;
  }
  const c = info.container(name);
  if (!c) throw errors.badRequest(`container ${name} is not valid for pod ${pod}`);
  if (opts.previous) {
    const path = containerLogPath(info.dataDir, info.uid, name, c.restartCount - 1);
    if (c.restartCount < 1 || !existsSync(path)) {
      throw errors.badRequest(`previous terminated container "${name}" in pod "${pod}" not found`);
    }
    return readLogFile(path, { ...opts, follow: false });
  }
  const path = containerLogPath(info.dataDir, info.uid, name, c.restartCount);
  if (!c.everStarted || !existsSync(path)) {
    throw errors.badRequest(`container "${name}" in pod "${pod}" is waiting to start: ${c.waitingReason ?? 'ContainerCreating'}`);
  }
  return readLogFile(path, opts);
}
