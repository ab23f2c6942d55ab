// Starts the startup, liveness and readiness probe workers of one container run and turns their
// results into what the pod worker acts on: started, ready, or "kill and restart".
import type { Container, Probe } from '../api/core.js';
import type { ContainerRun } from './container-run.js';
import { runProbe } from './prober/prober.js';
import { probeTypeTitle, type ProbeType } from './prober/types.js';
import { ProbeWorker } from './prober/worker.js';
import type { ContainerHandle } from './runtime/types.js';

export interface ProbeHooks {
  podIP(): string;
  /** The pod network's argv prefix exec probes start behind (PodNetwork.execPrefix). */
  execPrefix: string[];
  secondMs: number;
  /** Every failed probe: the Unhealthy event. */
  unhealthy(message: string): void;
  /** A liveness or startup probe crossed its failure threshold. */
  failed(type: ProbeType, probe: Probe): void;
  /** started or ready changed. */
  changed(): void;
}

export function startProbes(run: ContainerRun, handle: ContainerHandle, hooks: ProbeHooks): void {
  const c: Container = run.spec;
  const kinds: [ProbeType, Probe | undefined][] = [
    ['startup', c.startupProbe],
    ['liveness', c.livenessProbe],
    ['readiness', c.readinessProbe],
  ];
  const current = () => run.handle === handle;
  for (const [type, probe] of kinds) {
    if (!probe) continue;
    const worker = new ProbeWorker({
      type,
      probe,
      startedAt: handle.startedAt.getTime(),
      secondMs: hooks.secondMs,
      started: () => run.started,
      run: () => runProbe(probe, { podIP: hooks.podIP(), container: c, env: run.env ?? {}, execPrefix: hooks.execPrefix, inContainer: handle.execArgv }),
      onFailure: (output) => {
        if (current()) hooks.unhealthy(`${probeTypeTitle(type)} probe failed: ${output}`);
      },
      onResult: (result) => {
        if (!current()) return;
        if (type === 'readiness') {
          run.ready = result === 'success' && run.started;
        } else if (type === 'startup' && result === 'success') {
          run.started = true;
          run.ready = !c.readinessProbe;
        } else if (result === 'failure') {
          hooks.failed(type, probe);
        }
        hooks.changed();
      },
    });
    run.probes.push(worker);
    worker.start();
  }
}

export function stopProbes(run: ContainerRun): void {
  for (const p of run.probes) p.stop();
  run.probes = [];
}
