// A terminated container's message. Processes here share the machine's filesystem, so there is
// no per-container /dev/termination-log to read; terminationMessagePolicy FallbackToLogsOnError
// still works as upstream's: on a non-zero exit, the last 80 lines (at most 2048 bytes) of the log.
import { readFileSync } from 'node:fs';
import type { Container } from '../api/core.js';

const maxLines = 80;
const maxBytes = 2048;

export function terminationMessage(spec: Container, exitCode: number, logPath: string | undefined): string | undefined {
  if (spec.terminationMessagePolicy !== 'FallbackToLogsOnError' || exitCode === 0 || !logPath) return undefined;
  let raw: string;
  try {
    raw = readFileSync(logPath, 'utf8');
  } catch {
    return undefined;
  }
  // CRI lines: "<time> <stream> <F|P> <text>"; a P(artial) line continues on the next one.
  let text = '';
  for (const line of raw.split('\n')) {
    const m = /^\S+ \S+ ([FP]) ?(.*)$/.exec(line);
    if (!m) continue;
    text += m[2] + (m[1] === 'F' ? '\n' : '');
  }
  let lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines = lines.slice(-maxLines);
  let out = lines.join('\n') + (text.endsWith('\n') ? '\n' : '');
  while (Buffer.byteLength(out) > maxBytes) out = out.slice(1);
  return out || undefined;
}
