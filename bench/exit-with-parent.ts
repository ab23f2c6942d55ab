// Helper processes of a benchmark (backends, proxies) go when the benchmark does: their stdin is
// a pipe it holds (Node's 'pipe' stdio is a socket pair, a shell's a FIFO), and its end ends them.
// Started otherwise (as a pod, stdin /dev/null) they run until signalled.
import { fstatSync } from 'node:fs';

export function exitWithParent(): void {
  const stdin = fstatSync(0);
  if (!stdin.isFIFO() && !stdin.isSocket()) return;
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}
