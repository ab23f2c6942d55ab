// Starting a program behind the pod network's exec prefix (e.g. `ip netns exec <ns>`). The
// prefix execs the program in place, so the PID stays the program's; but a missing program then
// shows up as the prefix's exit code, not as a spawn error. lookPath checks the user's program
// first, so StartError and exec messages still name it rather than `ip`.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** file + args as spawn arguments, behind `prefix` when it is not empty. */
export function prefixed(prefix: readonly string[] | undefined, file: string, args: readonly string[]): { file: string; args: string[] } {
  if (!prefix || prefix.length === 0) return { file, args: [...args] };
  return { file: prefix[0]!, args: [...prefix.slice(1), file, ...args] };
}

function errno(code: string, message: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(message);
  e.code = code;
  return e;
}

function executable(path: string): NodeJS.ErrnoException | undefined {
  try {
    if (!statSync(path).isFile()) return errno('EACCES', `${path}: not a regular file`);
    accessSync(path, constants.X_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return errno(code === 'EACCES' ? 'EACCES' : 'ENOENT', (e as Error).message);
  }
}

/**
 * What spawning `file` directly would fail with (ENOENT, EACCES), as execvp resolves it: through
 * the PATH of `env` when it has no slash, else relative to `cwd`. Undefined when it would start.
 */
export function lookPath(file: string, env: Record<string, string>, cwd?: string): NodeJS.ErrnoException | undefined {
  if (cwd) {
    try {
      if (!statSync(cwd).isDirectory()) return errno('ENOENT', `chdir ${cwd}: not a directory`);
    } catch (e) {
      return errno('ENOENT', (e as Error).message);
    }
  }
  if (file.includes('/')) return executable(isAbsolute(file) || !cwd ? file : join(cwd, file));
  let denied: NodeJS.ErrnoException | undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const err = executable(join(dir || '.', file));
    if (!err) return undefined;
    if (err.code === 'EACCES') denied ??= err;
  }
  return denied ?? errno('ENOENT', `${file}: not found in $PATH`);
}

/**
 * How a command of an exec session, probe or hook starts: through the runtime's way into the
 * container when it has one (crun exec, which resolves the command in the container), else
 * beside the container behind the pod network's prefix.
 */
export function commandArgv(t: {
  command: string[];
  cwd?: string;
  execPrefix?: readonly string[];
  inContainer?: (command: string[], cwd?: string) => string[];
}): { file: string; args: string[] } {
  if (t.inContainer) {
    const argv = t.inContainer(t.command, t.cwd || undefined);
    return { file: argv[0]!, args: argv.slice(1) };
  }
  return prefixed(t.execPrefix, t.command[0]!, t.command.slice(1));
}

/** The mountPaths of a container's volumeMounts. */
export function volumeMountPaths(container: { [field: string]: unknown }): string[] {
  const mounts = Array.isArray(container.volumeMounts) ? (container.volumeMounts as { mountPath?: unknown }[]) : [];
  return mounts.flatMap((m) => (typeof m?.mountPath === 'string' && m.mountPath ? [m.mountPath] : []));
}

const under = (p: string, dir: string) => p === dir || p.startsWith(`${dir.replace(/\/+$/, '')}/`);

/**
 * lookPath for a program started in the container's mount namespace: a program or working dir
 * inside one of its volumes is only there once the volumes are mounted, so it is not checked
 * (the exec itself then reports what is wrong).
 */
export function lookPathOutsideVolumes(file: string, env: Record<string, string>, cwd: string | undefined, mountPaths: readonly string[]): NodeJS.ErrnoException | undefined {
  if (mountPaths.some((m) => under(file, m) || (cwd !== undefined && under(cwd, m)))) return undefined;
  return lookPath(file, env, cwd);
}
