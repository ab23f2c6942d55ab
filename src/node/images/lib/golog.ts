// Go's standard `log` package prefixes every line with "YYYY/MM/DD HH:MM:SS " in local time;
// containers run in UTC, so we print UTC. Lines go to stdout (the node agent captures stdout and
// stderr alike; upstream writes them to stderr).
function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function goLogPrefix(d: Date = new Date()): string {
  return (
    `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} `
  );
}

/** log.Printf: one line, newline appended unless the message already ends with one. */
export function logf(msg: string): void {
  process.stdout.write(goLogPrefix() + (msg.endsWith('\n') ? msg : msg + '\n'));
}

/** log.Fatalf: the line, then exit status 1, as Go's log.Fatal does. */
export function fatalf(msg: string): never {
  process.stderr.write(goLogPrefix() + (msg.endsWith('\n') ? msg : msg + '\n'));
  process.exit(1);
}
