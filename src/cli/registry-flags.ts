// --insecure-registry and --registry-mirror, as `up` and `agent` take them.
import { UsageError } from './flags.js';

/** HOST or HOST:PORT (a bracketed IPv6 address as HOST), as container runtimes take registry hosts. */
const registryHost = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

/** HOST or HOST:PORT, as containerd's and Docker's insecure-registries take them. */
export function checkRegistryHost(v: string): string {
  if (!registryHost.test(v)) {
    throw new UsageError(`--insecure-registry takes HOST or HOST:PORT (e.g. registry.local:5000), not ${JSON.stringify(v)}`);
  }
  return v;
}

/** A URL (http:// or https://) or a HOST[:PORT]. */
export function checkRegistryMirror(v: string): string {
  if (/^https?:\/\//.test(v)) {
    try {
      new URL(v);
      return v;
    } catch {
      // falls through to the error below
    }
  } else if (registryHost.test(v)) {
    return v;
  }
  throw new UsageError(`--registry-mirror takes a URL such as https://mirror.example or http://127.0.0.1:5000, not ${JSON.stringify(v)}`);
}

