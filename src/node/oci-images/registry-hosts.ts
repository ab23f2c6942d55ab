// Where a registry is reached: scheme, host and mirrors, as containerd's hosts configuration
// resolves them. Docker Hub ("docker.io") is served by registry-1.docker.io; its pulls try each
// mirror first, in order. Registries on loopback are spoken to over plain HTTP, as container
// runtimes allow by default; any other registry needs HTTPS unless it is named insecure.
import { isIP } from 'node:net';
import { DOCKER_HUB } from './reference.js';

export interface RegistryHostOptions {
  /** `HOST:PORT` or `HOST` entries (the `--insecure-registry` flag) reached over plain HTTP. */
  insecureRegistries?: string[];
  /** Mirror base URLs (`http://127.0.0.1:5000`, `https://mirror.example`) or hosts tried before Docker Hub. */
  registryMirrors?: string[];
}

export interface RegistryEndpoint {
  /** "http://127.0.0.1:5000": the origin requests under /v2/ go to. */
  base: string;
  mirror: boolean;
}

function hostOnly(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const i = hostPort.lastIndexOf(':');
  return i >= 0 && hostPort.indexOf(':') === i ? hostPort.slice(0, i) : hostPort;
}

export function isLoopbackHost(hostPort: string): boolean {
  const host = hostOnly(hostPort).toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function isInsecure(hostPort: string, opts: RegistryHostOptions): boolean {
  const list = opts.insecureRegistries ?? [];
  return list.includes(hostPort) || list.includes(hostOnly(hostPort));
}

function schemeFor(hostPort: string, opts: RegistryHostOptions): 'http' | 'https' {
  return isLoopbackHost(hostPort) || isInsecure(hostPort, opts) ? 'http' : 'https';
}

function mirrorBase(mirror: string, opts: RegistryHostOptions): string {
  if (/^https?:\/\//.test(mirror)) return mirror.replace(/\/+$/, '').replace(/\/v2$/, '');
  return `${schemeFor(mirror, opts)}://${mirror.replace(/\/+$/, '')}`;
}

export function registryEndpoints(registry: string, opts: RegistryHostOptions = {}): RegistryEndpoint[] {
  if (registry === DOCKER_HUB) {
    return [
      ...(opts.registryMirrors ?? []).map((m) => ({ base: mirrorBase(m, opts), mirror: true })),
      { base: 'https://registry-1.docker.io', mirror: false },
    ];
  }
  return [{ base: `${schemeFor(registry, opts)}://${registry}`, mirror: false }];
}
