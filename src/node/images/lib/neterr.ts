// Go's *net.OpError texts for listen failures, which upstream's images print before exiting 1
// (e.g. "listen tcp 127.244.0.5:9376: bind: address already in use").

const BIND_ERRNO: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'cannot assign requested address',
};

export function listenError(network: 'tcp' | 'udp', address: string, err: NodeJS.ErrnoException): string {
  const text = err.code ? BIND_ERRNO[err.code] : undefined;
  return `listen ${network} ${address}: ${text ? `bind: ${text}` : err.message}`;
}
