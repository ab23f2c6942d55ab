// The machine's upstream resolvers, as the forward plugin's `forward . /etc/resolv.conf` reads them.
import { readFileSync } from 'node:fs';
import { parseResolvConf } from '../pod-dns.js';

export function readResolvConf(path = '/etc/resolv.conf'): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  // A zone index (fe80::1%eth0) cannot be used from here; skip such entries.
  return parseResolvConf(text).nameservers.filter((n) => !n.includes('%'));
}
