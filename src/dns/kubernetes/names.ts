// Splits a name under the cluster zone into the parts the Kubernetes DNS specification gives it,
// the way CoreDNS's parseRequest does:
//   _<port>._<proto>.<service>.<ns>.svc.<zone>   <endpoint>.<service>.<ns>.svc.<zone>
//   <service>.<ns>.svc.<zone>                    <a-b-c-d>.<ns>.pod.<zone>
export type ParsedName =
  | { kind: 'apex' }
  | { kind: 'dns-version' }
  | { kind: 'ns' }
  /** A name with no meaning in the schema: NXDOMAIN. */
  | { kind: 'invalid' }
  | {
      kind: 'svc' | 'pod';
      /** "" when the name stops above it (e.g. `<ns>.svc.<zone>`): NODATA when what is given exists. */
      namespace: string;
      service: string;
      endpoint: string;
      port: string;
      protocol: string;
    };

const strip = (s: string) => (s.startsWith('_') ? s.slice(1) : s);

/** `lname` and `zone` are lower case without trailing dots; undefined when `lname` is outside the zone. */
export function parseName(lname: string, zone: string): ParsedName | undefined {
  if (lname === zone) return { kind: 'apex' };
  if (!lname.endsWith('.' + zone)) return undefined;
  const base = lname.slice(0, lname.length - zone.length - 1);
  if (base === 'dns-version') return { kind: 'dns-version' };
  if (base === 'ns.dns') return { kind: 'ns' };
  const segs = base.split('.');
  const kind = segs.pop();
  if (kind !== 'svc' && kind !== 'pod') return { kind: 'invalid' };
  const namespace = segs.pop() ?? '';
  const service = segs.pop() ?? '';
  const out: ParsedName = { kind, namespace, service, endpoint: '', port: '', protocol: '' };
  if (segs.length === 1) out.endpoint = segs[0]!;
  else if (segs.length === 2) {
    // Two labels left are port and protocol, underscores or not, as in CoreDNS without multicluster.
    out.port = strip(segs[0]!);
    out.protocol = strip(segs[1]!);
  } else if (segs.length > 2) return { kind: 'invalid' };
  return out;
}

/** The IP a reverse name stands for, or undefined if it is not a complete in-addr.arpa/ip6.arpa name. */
export function reverseToIP(lname: string): string | undefined {
  if (lname.endsWith('.in-addr.arpa')) {
    const parts = lname.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) < 256)) return undefined;
    return parts.reverse().join('.');
  }
  if (lname.endsWith('.ip6.arpa')) {
    const nibbles = lname.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4).replace(/^0+(?=.)/, ''));
    return compressIPv6(groups);
  }
  return undefined;
}

/** RFC 5952 text form from 8 groups, so reverse look-ups match addresses as the API stores them. */
function compressIPv6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return groups.slice(0, best).join(':') + '::' + groups.slice(best + bestLen).join(':');
}

/** The name an endpoint is known by: its hostname, else its address with dashes (CoreDNS endpointHostname). */
export function endpointHostname(ip: string, hostname?: string): string {
  if (hostname) return hostname;
  return ip.includes('.') ? ip.replaceAll('.', '-') : ip.replaceAll(':', '-');
}
