// Client-certificate authentication as kube-apiserver's --client-ca-file authenticator does it: a
// certificate that chains to the cluster CA for client use names the user in its CommonName and
// the groups in its Organization values; a certificate without a CommonName names nobody (the
// request is then anonymous, as upstream's CommonNameUserConversion says "not mine"), while one
// that does not verify is an error (401), never an anonymous request.
import type { TLSSocket } from 'node:tls';
import { allAuthenticated, type UserInfo } from './user.js';

/** One TLS connection is one certificate: read it once, not for every request on a keep-alive connection. */
const bySocket = new WeakMap<TLSSocket, UserInfo | null>();

/**
 * The user a TLS connection's client certificate names, or undefined when there is none, it does
 * not verify (another CA, expired, or not for clientAuth: OpenSSL checks the purpose of a client
 * certificate for a server), or it has no CommonName.
 */
export function userFromClientCertificate(socket: TLSSocket): UserInfo | undefined {
  if (socket.authorized !== true) return undefined;
  let user = bySocket.get(socket);
  if (user === undefined) {
    user = certificateUser(socket.getPeerCertificate(false)?.subject) ?? null;
    bySocket.set(socket, user);
  }
  return user ?? undefined;
}

/**
 * Why the client certificate a TLS connection presented does not verify (another CA, expired,
 * not for clientAuth), or undefined when it verifies or there is none.
 */
export function certificateError(socket: TLSSocket): string | undefined {
  if (socket.authorized === true || typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate(false);
  if (!cert || Object.keys(cert).length === 0) return undefined;
  return `verifying certificate failed: ${String(socket.authorizationError ?? 'unknown error')}`;
}

/** Node gives one value as a string and repeated ones (several O=) as an array. */
type SubjectValue = string | string[] | undefined;

export function certificateUser(subject: Record<string, SubjectValue> | undefined): UserInfo | undefined {
  if (!subject) return undefined;
  const values = (v: SubjectValue) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  // Go's pkix.Name keeps the last CommonName and every Organization, in order.
  const name = values(subject['CN']).at(-1) ?? '';
  if (name === '') return undefined;
  const groups = values(subject['O']);
  return { name, groups: groups.includes(allAuthenticated) ? groups : [...groups, allAuthenticated] };
}
