// The environment a running process was started with, from /proc: an adopted container's exec
// probes, hooks and exec sessions get exactly what its process got, whatever changed since.
import { readFileSync } from 'node:fs';

export function processEnv(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return env;
  }
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}
