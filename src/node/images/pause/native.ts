// registry.k8s.io/pause as a shell script rather than a Node program: a pause pod only waits for a
// signal, and a Node process costs ~40 MiB of RSS for that where sh and sleep take ~2 MiB. It
// behaves as pause.c does: `-v` prints the version, SIGINT/SIGTERM print psignal's line and exit 0.
// (The shell ends its sleep on the way out; the runtime also ends the container's whole process group.)
export const pauseShell = '/bin/sh';

// The sleep keeps none of the container's pipes (so nothing waits on it for end-of-output) and is
// started before anything is printed, so a signal sent on seeing the output finds $s set.
const sleeper = 'sleep 2147483647 </dev/null >/dev/null 2>&1 & s=$!';

const script = [
  'for a in "$@"; do case "$a" in -v|-V) echo "pause.c v3.10"; exit 0;; esac; done',
  'trap \'echo "Shutting down, got signal: Terminated" >&2; kill $s 2>/dev/null; exit 0\' TERM',
  'trap \'echo "Shutting down, got signal: Interrupt" >&2; kill $s 2>/dev/null; exit 0\' INT',
  sleeper,
  'wait',
].join('\n');

/** argv for /bin/sh running pause with the image's arguments ($0 is "pause"). */
export function pauseArgv(args: string[]): string[] {
  return ['-c', script, 'pause', ...args];
}

// `agnhost pause` (agnhost's default CMD) likewise: "Paused", then exit 1 on SIGINT and 2 on
// SIGTERM, as upstream's agnhost does. Traps and the sleep go in before the first output, so whoever
// waits for that line may signal at once.
const agnhostScript = [
  "trap 'kill $s 2>/dev/null; exit 1' INT",
  "trap 'kill $s 2>/dev/null; exit 2' TERM",
  sleeper,
  'echo Paused',
  'wait',
].join('\n');

/** argv for /bin/sh running `agnhost pause`. */
export function agnhostPauseArgv(): string[] {
  return ['-c', agnhostScript, 'agnhost'];
}
