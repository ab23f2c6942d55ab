// Datastores register by URL scheme, as kine's endpoints do, so `--datastore` picks one by name
// and a new backend needs no change to the code that opens it.
import type { Backend, BackendFactory } from './backend.js';
import { LazyEtcdBackend } from './etcd/lazy.js';
import { sqliteFactory } from './sqlite/index.js';

const factories = new Map<string, BackendFactory>();

/** Make `scheme` (without ':') available to openBackend; a later registration replaces an earlier one. */
export function registerBackend(scheme: string, factory: BackendFactory): void {
  factories.set(scheme.toLowerCase(), factory);
}

registerBackend('sqlite', sqliteFactory);
// Loaded on start only: the etcd client brings gRPC with it.
registerBackend('etcd', (url) => new LazyEtcdBackend(url));

/**
 * Open (but do not start) the backend named by `spec`: 'sqlite' (dataDir/state.db),
 * 'sqlite:///abs/path.db', 'sqlite://:memory:', or 'etcd://host:port[,host:port]'.
 */
export function openBackend(spec: string, opts: { dataDir: string }): Backend {
  const url = parseSpec(spec.trim());
  const factory = factories.get(url.protocol.slice(0, -1));
  if (!factory) {
    throw new Error(`unknown datastore "${spec}"; expected one of: ${[...factories.keys()].join(', ')}`);
  }
  return factory(url, opts);
}

/**
 * WHATWG URL parsing rejects two spellings that datastore specs use: an authority holding a
 * list of endpoints (etcd://a:2379,b:2379) and sqlite's ':memory:' in the host position. Both are
 * rewritten into URLs that parse: the endpoint list moves into ?endpoints= (the first endpoint
 * stays the host) and ':memory:' becomes the path of 'sqlite::memory:'.
 */
export function parseSpec(spec: string): URL {
  const scheme = /^([a-z][a-z0-9+.-]*)(:|$)/i.exec(spec);
  if (!scheme) throw new Error(`invalid datastore "${spec}": expected a scheme such as sqlite or etcd://host:port`);
  const name = scheme[1]!.toLowerCase();
  const rest = spec.slice(scheme[0].length);
  if (rest === '') return new URL(`${name}:`);
  if (name === 'sqlite' && rest === '//:memory:') return new URL('sqlite::memory:');
  const list = /^\/\/([^/?#]*)(.*)$/.exec(rest);
  if (list && list[1]!.includes(',')) {
    const endpoints = list[1]!.split(',').filter((e) => e !== '');
    const url = new URL(`${name}://${endpoints[0] ?? ''}${list[2]}`);
    url.searchParams.set('endpoints', endpoints.join(','));
    return url;
  }
  try {
    return new URL(`${name}:${rest}`);
  } catch {
    throw new Error(`invalid datastore "${spec}"`);
  }
}
