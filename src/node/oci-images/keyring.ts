// imagePullSecrets matched to an image as the kubelet's credential keyring does
// (pkg/credentialprovider): each `auths` key is a schemeless URL whose host parts may be globs
// ("*.example.com"), with an optional path prefix; "/v1/" and "/v2/" paths mean the host; keys are
// tried most specific first; and Docker Hub credentials filed under "index.docker.io" (the docker
// CLI's "https://index.docker.io/v1/") also serve images with no registry or "docker.io".
import type { DockerConfigAuths } from '../runtime/image-puller.js';
import type { RegistryCredential } from './registry-auth.js';

const DEFAULT_REGISTRY_HOST = 'index.docker.io';

interface Entry {
  key: string;
  cred: RegistryCredential;
}

function credentialOf(v: { auth?: string; username?: string; password?: string }): RegistryCredential | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  if (typeof v.auth === 'string' && v.auth) {
    const decoded = Buffer.from(v.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0) return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
  }
  if (typeof v.username === 'string' || typeof v.password === 'string') {
    return { username: v.username ?? '', password: v.password ?? '' };
  }
  return undefined;
}

function schemeless(loc: string): URL | undefined {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(loc) ? loc : `https://${loc}`);
  } catch {
    return undefined;
  }
}

function keyOf(loc: string): string | undefined {
  const u = schemeless(loc);
  if (!u || !u.host) return undefined;
  let path = decodeURIComponent(u.pathname);
  if (path.startsWith('/v2/') || path.startsWith('/v1/')) path = path.slice(3);
  return path.length > 0 && path !== '/' ? u.host + path : u.host;
}

/** filepath.Match for one host part: `*`, `?` and `[...]` classes. */
function globMatch(glob: string, s: string): boolean {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) return false;
      let cls = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
      if (cls.startsWith('^')) cls = '^' + cls.slice(1);
      re += `[${cls}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  try {
    return new RegExp(re + '$').test(s);
  } catch {
    return false;
  }
}

function split(u: URL): { parts: string[]; port: string } {
  return { parts: u.hostname.split('.'), port: u.port };
}

/** URLsMatch: same number of host parts, each matching its glob, equal ports, the key's path a prefix. */
export function keyMatches(key: string, image: string): boolean {
  const g = schemeless(key);
  const t = schemeless(image);
  if (!g || !t) return false;
  const gs = split(g);
  const ts = split(t);
  if (gs.parts.length !== ts.parts.length || gs.port !== ts.port) return false;
  for (let i = 0; i < gs.parts.length; i++) if (!globMatch(gs.parts[i]!, ts.parts[i]!)) return false;
  return decodeURIComponent(t.pathname).startsWith(decodeURIComponent(g.pathname));
}

function isDefaultRegistryMatch(image: string): boolean {
  const slash = image.indexOf('/');
  if (slash === 0) return false;
  if (slash < 0) return true;
  const head = image.slice(0, slash);
  if (head === 'docker.io' || head === DEFAULT_REGISTRY_HOST) return true;
  return !/[.:]/.test(head);
}

/**
 * The credentials for `image` (its full name, "docker.io/library/busybox"), in the order the
 * kubelet tries them; empty means pull anonymously.
 */
export function lookupCredentials(pullSecrets: DockerConfigAuths[], image: string): RegistryCredential[] {
  const byKey = new Map<string, RegistryCredential[]>();
  for (const auths of pullSecrets) {
    if (typeof auths !== 'object' || auths === null) continue;
    for (const [loc, value] of Object.entries(auths)) {
      const key = keyOf(loc);
      const cred = credentialOf(value);
      if (!key || !cred) continue;
      const list = byKey.get(key) ?? [];
      if (!list.some((c) => c.username === cred.username && c.password === cred.password)) list.push(cred);
      byKey.set(key, list);
    }
  }
  // Reverse-sorted keys: "host/ns/repo" before "host/ns" before "host".
  const index: Entry[] = [];
  for (const key of [...byKey.keys()].sort().reverse()) for (const cred of byKey.get(key)!) index.push({ key, cred });
  const found = index.filter((e) => keyMatches(e.key, image)).map((e) => e.cred);
  if (found.length > 0) return found;
  if (isDefaultRegistryMatch(image)) return byKey.get(DEFAULT_REGISTRY_HOST) ?? [];
  return [];
}
