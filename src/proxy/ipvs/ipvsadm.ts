// `ipvsadm --restore` input (the format `ipvsadm-save -n` prints): -A adds a virtual server,
// -a a real server behind it. Real servers use masquerading (-m), IPVS's NAT forwarding, because
// pods are not on the virtual server's address: the reply must come back through the node to be
// un-NATed, exactly as upstream's RealServer with the default forwarding method.
import type { VirtualServer } from './plan.js';

const protoFlag: Record<VirtualServer['protocol'], string> = { TCP: '-t', UDP: '-u', SCTP: '--sctp-service' };

export function virtualServerLine(vs: VirtualServer): string {
  const p = vs.persistentTimeout !== undefined ? ` -p ${vs.persistentTimeout}` : '';
  return `-A ${protoFlag[vs.protocol]} ${vs.address}:${vs.port} -s ${vs.scheduler}${p}`;
}

export function realServerLines(vs: VirtualServer): string[] {
  return vs.realServers.map((rs) => `-a ${protoFlag[vs.protocol]} ${vs.address}:${vs.port} -r ${rs.ip}:${rs.port} -m -w ${rs.weight}`);
}

export function renderIPVSAdm(vss: readonly VirtualServer[]): string {
  const lines: string[] = [];
  for (const vs of vss) lines.push(virtualServerLine(vs), ...realServerLines(vs));
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** The dummy device and its addresses, as the `ip` commands that create them (upstream binds /32 for IPv4). */
export const dummyDevice = 'kube-ipvs0';

export function renderDummyDevice(bindAddresses: readonly string[]): string {
  const lines = [`ip link add ${dummyDevice} type dummy`];
  for (const a of bindAddresses) lines.push(`ip addr add ${a}/32 dev ${dummyDevice}`);
  return lines.join('\n') + '\n';
}
