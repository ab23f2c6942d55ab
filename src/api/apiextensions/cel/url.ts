// Kubernetes' CEL URL library (k8s.io/apiserver/pkg/cel/library/urls.go): url() and isURL() read
// a string as Go's url.ParseRequestURI does — an absolute URI or an absolute path, nothing
// relative — and the getters return its parts as Go's url.URL gives them (getHost keeps the port
// and an IPv6 address's brackets, getHostname drops both).
import type { Environment } from '@marcbachmann/cel-js';

export class URLValue {
  constructor(
    readonly scheme: string,
    readonly host: string,
    readonly path: string,
    readonly rawQuery: string,
  ) {}

  get hostname(): string {
    if (this.host.startsWith('[')) return this.host.slice(1, this.host.indexOf(']'));
    const colon = this.host.lastIndexOf(':');
    return colon < 0 ? this.host : this.host.slice(0, colon);
  }

  get port(): string {
    const after = this.host.startsWith('[') ? this.host.slice(this.host.indexOf(']') + 1) : this.host;
    const colon = after.lastIndexOf(':');
    return colon < 0 ? '' : after.slice(colon + 1);
  }
}

const uri = /^([A-Za-z][A-Za-z0-9+.-]*):(?:\/\/([^/?]*))?([^?]*)(?:\?(.*))?$/s;

/** url.ParseRequestURI, or the error upstream's url() reports. */
export function parseRequestURI(s: string): URLValue {
  const fail = (why: string) => new Error(`URL parse error during conversion from string: parse ${JSON.stringify(s)}: ${why}`);
  // Go refuses ASCII control characters anywhere, and a space in the host.
  if (/[\x00-\x1f\x7f]/.test(s)) throw fail('net/url: invalid control character in URL');
  if (s.startsWith('/')) {
    const q = s.indexOf('?');
    return new URLValue('', '', q < 0 ? s : s.slice(0, q), q < 0 ? '' : s.slice(q + 1));
  }
  const m = uri.exec(s);
  if (!m) throw fail('invalid URI for request');
  const host = m[2] ?? '';
  const authority = host.slice(host.lastIndexOf('@') + 1);
  if (/\s/.test(authority)) throw fail(`invalid character " " in host name`);
  // An opaque URI (mailto:x) is accepted too, with its rest as the path.
  const u = new URLValue(m[1]!, authority, m[3]!, m[4] ?? '');
  if (u.port !== '' && !/^\d+$/.test(u.port)) throw fail(`invalid port ${JSON.stringify(':' + u.port)} after host`);
  return u;
}

/** url.ParseQuery: `a=1&a=2&b` → {a: [1, 2], b: [""]}; '+' is a space. */
function parseQuery(q: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of q.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const dec = (x: string) => {
      try {
        return decodeURIComponent(x.replaceAll('+', ' '));
      } catch {
        return x;
      }
    };
    const k = dec(eq < 0 ? part : part.slice(0, eq));
    const v = dec(eq < 0 ? '' : part.slice(eq + 1));
    out.set(k, [...(out.get(k) ?? []), v]);
  }
  return out;
}

export function registerURLLibrary(env: Environment): void {
  env.registerType('URL', URLValue);
  env.registerFunction('url(string): URL', (s: string) => parseRequestURI(s));
  env.registerFunction('isURL(string): bool', (s: string) => {
    try {
      parseRequestURI(s);
      return true;
    } catch {
      return false;
    }
  });
  env.registerFunction('URL.getScheme(): string', (u: URLValue) => u.scheme);
  env.registerFunction('URL.getHost(): string', (u: URLValue) => u.host);
  env.registerFunction('URL.getHostname(): string', (u: URLValue) => u.hostname);
  env.registerFunction('URL.getPort(): string', (u: URLValue) => u.port);
  env.registerFunction('URL.getEscapedPath(): string', (u: URLValue) => u.path);
  env.registerFunction('URL.getQuery(): map<string, list<string>>', (u: URLValue) => parseQuery(u.rawQuery));
}
