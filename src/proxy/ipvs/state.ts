// Reading what the kernel holds, for the IPVS Provider's diffs: `ipvsadm -Sn` (the same line format
// `ipvsadm -R` reads, so the diff can answer in kind), `ip -o addr show dev kube-ipvs0` and
// `ipset save`. Pure text → data functions, so they are testable on any machine.
import type { VirtualServer } from './plan.js';

/** The ipvsadm flag naming a virtual server's protocol, as -S prints it and -R reads it. */
export const protoFlag: Record<VirtualServer['protocol'], string> = { TCP: '-t', UDP: '-u', SCTP: '--sctp-service' };
const flagProto = new Map<string, VirtualServer['protocol']>([
  ['-t', 'TCP'],
  ['--tcp-service', 'TCP'],
  ['-u', 'UDP'],
  ['--udp-service', 'UDP'],
  ['--sctp-service', 'SCTP'],
]);

export interface IPVSRealServerState {
  /** "ip:port" */
  address: string;
  weight: number;
  /** -m (masq), -g (gatewaying/direct routing) or -i (ipip); upstream always programs -m. */
  method: '-m' | '-g' | '-i';
}

export interface IPVSVirtualServerState {
  protocol: VirtualServer['protocol'];
  /** "ip:port" */
  address: string;
  scheduler: string;
  persistentTimeout?: number;
  /** Real servers by "ip:port", in the order listed. */
  realServers: Map<string, IPVSRealServerState>;
}

/** Virtual servers by key (`vsKey`), in the order listed. */
export type IPVSState = Map<string, IPVSVirtualServerState>;

/** "-t 10.96.0.1:443": protocol flag and address, the part of a line that names a virtual server. */
export function vsKey(protocol: VirtualServer['protocol'], address: string): string {
  return `${protoFlag[protocol]} ${address}`;
}

/**
 * Parses `ipvsadm -Sn` (ipvsadm-save -n). Virtual servers that are not ours to manage are left
 * out: fwmark services (-f), which kube-proxy never creates, and IPv6 ones (`[addr]:port`), since
 * this proxy is IPv4-only as upstream's proxier is single-family. Unknown flags are skipped so a
 * newer ipvsadm's extra options (-b sched-flags, --pe, tunnel options) do not break the read.
 */
export function parseIPVSSave(text: string): IPVSState {
  const state: IPVSState = new Map();
  for (const raw of text.split('\n')) {
    const tok = raw.trim().split(/\s+/).filter((t) => t !== '');
    const cmd = tok[0];
    if (cmd !== '-A' && cmd !== '-a') continue;
    let protocol: VirtualServer['protocol'] | undefined;
    let address = '';
    let scheduler = '';
    let persistentTimeout: number | undefined;
    let real = '';
    let weight = 1;
    let method: IPVSRealServerState['method'] = '-m';
    for (let i = 1; i < tok.length; i++) {
      const t = tok[i]!;
      const p = flagProto.get(t);
      if (p) {
        protocol = p;
        address = tok[++i] ?? '';
      } else if (t === '-s' || t === '--scheduler') scheduler = tok[++i] ?? '';
      else if (t === '-p' || t === '--persistent') {
        // -p may be given without a value (ipvsadm's default 300 s), but -S always prints one.
        const v = tok[i + 1];
        if (v !== undefined && /^\d+$/.test(v)) {
          persistentTimeout = Number(v);
          i++;
        } else persistentTimeout = 300;
      } else if (t === '-r' || t === '--real-server') real = tok[++i] ?? '';
      else if (t === '-w' || t === '--weight') weight = Number(tok[++i] ?? '1');
      else if (t === '-m' || t === '-g' || t === '-i') method = t;
      else if (t === '--masquerading') method = '-m';
      else if (t === '-f' || t === '--fwmark-service') protocol = undefined;
    }
    if (!protocol || !address || address.startsWith('[')) continue;
    const key = vsKey(protocol, address);
    if (cmd === '-A') {
      state.set(key, {
        protocol,
        address,
        scheduler,
        ...(persistentTimeout !== undefined ? { persistentTimeout } : {}),
        realServers: new Map(),
      });
    } else if (real) {
      state.get(key)?.realServers.set(real, { address: real, weight, method });
    }
  }
  return state;
}

/** IPv4 addresses on the device, from `ip -o addr show dev <dev>` ("5: kube-ipvs0    inet 10.96.0.1/32 scope global kube-ipvs0 ..."). */
export function parseIPAddrShow(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\binet (\d+\.\d+\.\d+\.\d+)\/\d+/g)) out.push(m[1]!);
  return out;
}

/** Members of the named sets, from `ipset save` ("add SET member [comment ...]"); sets not named are ignored. */
export function parseIPSetSave(text: string, names: ReadonlySet<string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const tok = line.trim().split(/\s+/);
    const set = tok[1];
    if (!set || !names.has(set)) continue;
    if (tok[0] === 'create' && !out.has(set)) out.set(set, new Set());
    else if (tok[0] === 'add' && tok[2]) {
      const s = out.get(set) ?? new Set<string>();
      s.add(tok[2]);
      out.set(set, s);
    }
  }
  return out;
}
