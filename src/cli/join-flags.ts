// Flags `kubesvc server` and `kubesvc agent` both read: the server to join, the token (given or
// from a file) and addresses, each refused with the same sentence.
import { readFileSync } from 'node:fs';
import { isIPv4 } from '../proxy/ip.js';
import { errorText } from '../util/log.js';
import { UsageError } from './flags.js';

/** --server: an https URL; `example` shows one in the message for anything else. */
export function serverURLFlag(text: string, example: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--server must be a URL such as ${example}, not ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'https:') throw new UsageError(`--server must use https, not ${url.protocol}`);
  return url;
}

/** --token, or the first line of --token-file; undefined when neither is given. */
export function tokenFlag(values: Map<string, string>): string | undefined {
  const token = values.get('token');
  const file = values.get('token-file');
  if (token !== undefined || file === undefined) return token;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new UsageError(`--token-file: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? errorText(e)}`);
  }
}

/** An IPv4 flag's value, or undefined when it is not given. */
export function ipFlag(values: Map<string, string>, name: string): string | undefined {
  const v = values.get(name);
  if (v !== undefined && !isIPv4(v)) throw new UsageError(`--${name} must be an IPv4 address, not ${JSON.stringify(v)}`);
  return v;
}
