import { hostname } from 'node:os';
import { POD_NETWORK_ENV } from '../../pod-network.js';

/** The pod runs in a network namespace of its own (the agent's netns mode). */
function ownNetns(env: NodeJS.ProcessEnv): boolean {
  return env[POD_NETWORK_ENV] === 'netns';
}

// In loopback mode every pod shares the machine's network stack, so a program must bind the pod's
// own address (POD_IP) rather than the wildcard upstream's images use, or pods would collide. In
// netns mode the pod has a stack of its own and binds the wildcard, as in real Kubernetes.
export function bindAddress(env: NodeJS.ProcessEnv = process.env): string {
  if (ownNetns(env)) return '0.0.0.0';
  return env.POD_IP && env.POD_IP.trim() !== '' ? env.POD_IP.trim() : '0.0.0.0';
}

// Upstream calls os.Hostname(), which inside a container is the pod name. Without UTS namespaces
// the agent passes the pod name in HOSTNAME instead.
export function podHostname(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOSTNAME && env.HOSTNAME !== '' ? env.HOSTNAME : hostname();
}

/** "ip:port" as Go's net.JoinHostPort prints it (IPv6 in brackets). */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The source address for connections a pod opens. Without it Linux picks 127.0.0.1 for every
 * loopback destination, and the receiving pod would see the node's address instead of the
 * caller's pod IP (what /clientip reports and source-IP tests check).
 */
export function sourceAddress(destination: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  // In its own netns the pod's only address is its IP: the kernel picks it without help.
  if (ownNetns(env)) return undefined;
  const own = env.POD_IP?.trim();
  if (!own) return undefined;
  const v6 = (a: string): boolean => a.includes(':');
  if (v6(own) !== v6(destination)) return undefined;
  // A loopback source cannot reach anything off the machine; leave those to the kernel.
  const loopback = (a: string): boolean => a.startsWith('127.') || a === '::1';
  if (loopback(own) && !loopback(destination)) return undefined;
  return own;
}
