// How crun is invoked: always with the agent's own state root (`--root` under the data dir, never
// the machine's /run/crun) and without a cgroup manager. On a machine in
// cgroup "hybrid" mode (v1 controllers plus a v2 hierarchy with controllers enabled) crun refuses
// to create containers; it then runs in a private mount namespace where the v2 hierarchy's
// cgroup.controllers reads empty, which is all its check looks at.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

const unifiedControllers = '/sys/fs/cgroup/unified/cgroup.controllers';

/** Debian's crun (runc is no drop-in: no --cgroup-manager, and it fails here in hybrid mode). */
export function findRuntime(): string | undefined {
  for (const p of ['/usr/bin/crun', '/usr/local/bin/crun', '/usr/sbin/crun']) if (existsSync(p)) return p;
  return undefined;
}

/** cgroup v1 with a v2 hierarchy that has controllers: crun's "hybrid mode" check fails. */
export function hybridCgroups(): boolean {
  try {
    return readFileSync(unifiedControllers, 'utf8').trim() !== '';
  } catch {
    return false;
  }
}

export class Crun {
  readonly hybrid = hybridCgroups();

  constructor(
    readonly binary: string,
    readonly root: string,
    /**
     * The agent is not root: the shim runs crun in a user namespace of its own mapping root to the
     * agent's uid (as `podman unshare` does), where crun may create the container's namespaces and
     * mounts; exec and kill from outside join or signal it as its owner.
     */
    readonly rootless = false,
  ) {}

  /** Global flags before every command. */
  args(...rest: string[]): string[] {
    // No cgroup manager: the agent makes the container's cgroup itself (cgroups.ts) and the shim
    // joins it, so crun needs no systemd, and works the same on cgroup v1, hybrid and v2.
    return ['--root', this.root, '--cgroup-manager=disabled', ...rest];
  }

  /**
   * The argv of the container's shim: `crun run` in the foreground (it waits for the container and
   * exits with its status), through sh so the status is also written to `exitFile` for an agent
   * that adopts the container later and is not the shim's parent. The sh first joins the
   * container's cgroups (`cgroupProcs`, their cgroup.procs files).
   */
  shimArgv(bundle: string, id: string, pidFile: string, exitFile: string, cgroupProcs: string[] = []): string[] {
    const fix = this.hybrid ? `mount --bind /dev/null ${unifiedControllers} || exit 125; ` : '';
    // Joining the container's cgroups first puts crun, and so the container, inside them.
    const join = cgroupProcs.map((f) => `echo $$ > '${f}' || exit 125; `).join('');
    const script = `${join}${fix}"$@"; code=$?; echo $code > "$0.tmp" && mv "$0.tmp" "$0"; exit $code`;
    const sh = ['/bin/sh', '-c', script, exitFile, this.binary, ...this.args('run', '--bundle', bundle, '--pid-file', pidFile, id)];
    if (this.rootless) return ['unshare', '--user', '--map-root-user', '--mount', '--propagation', 'private', ...sh];
    return this.hybrid ? ['unshare', '--mount', '--propagation', 'private', ...sh] : sh;
  }

  /** The argv that runs `command` inside the running container (env and user from its config). */
  execArgv(id: string, command: string[], cwd?: string): string[] {
    return [this.binary, ...this.args('exec', ...(cwd ? ['--cwd', cwd] : []), id, ...command)];
  }

  async kill(id: string, signal: string): Promise<void> {
    await run(this.binary, this.args('kill', id, signal));
  }

  async delete(id: string): Promise<void> {
    await run(this.binary, this.args('delete', '--force', id)).catch(() => undefined);
  }

  /** Ids and states of the containers under our root (`crun list`). */
  async list(): Promise<{ id: string; pid: number; status: string }[]> {
    try {
      const { stdout } = await run(this.binary, this.args('list', '--format', 'json'));
      const parsed = JSON.parse(stdout || '[]') as { id: string; pid: number; status: string }[] | null;
      return parsed ?? [];
    } catch {
      return [];
    }
  }
}
