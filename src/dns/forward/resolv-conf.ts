// The machine's upstream resolvers, as the forward plugin's `forward . /etc/resolv.conf` reads them.
import { readFileSync } from 'node:fs';

export function readResolvConf(path = '/etc/resolv.conf'): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = line.trim().match(/^nameserver\s+(\S+)/);
    // A zone index (fe80::1%eth0) cannot be used from here; skip such entries.
    if (m && !m[1]!.includes('%')) out.push(m[1]!);
  }
  return out;
}
