// Which addresses this machine can listen on: the whole of 127.0.0.0/8 (Linux routes it all to
// lo, so any 127.x.y.z binds without being added) plus the interfaces' IPv4 addresses.
import { networkInterfaces } from 'node:os';
import { isLoopbackIPv4 } from '../ip.js';

export function localAddressChecker(): (ip: string) => boolean {
  let cache: Set<string> | undefined;
  let cachedAt = 0;
  return (ip: string) => {
    if (isLoopbackIPv4(ip)) return true;
    // Interfaces rarely change; re-read at most every few seconds.
    if (!cache || Date.now() - cachedAt > 5000) {
      cache = new Set(
        Object.values(networkInterfaces())
          .flat()
          .filter((i) => i && i.family === 'IPv4')
          .map((i) => i!.address),
      );
      cachedAt = Date.now();
    }
    return cache.has(ip);
  };
}
