// Shared by the DNS tests: records as short strings, so tables read like dig output.
import type { Answer } from 'dns-packet';

export function fmt(rr: Answer): string {
  switch (rr.type) {
    case 'SRV':
      return `SRV ${rr.data.priority} ${rr.data.weight} ${rr.data.port} ${rr.data.target}`;
    case 'SOA':
      return `SOA ${rr.data.mname} ${rr.data.rname}`;
    case 'TXT': {
      const d = rr.data;
      const parts = Array.isArray(d) ? d : [d];
      return `TXT ${parts.map((p) => p.toString()).join(' ')}`;
    }
    case 'OPT':
      return 'OPT';
    default:
      return `${rr.type} ${String((rr as { data: unknown }).data)}`;
  }
}

export const sorted = (rrs: Answer[] | undefined) => (rrs ?? []).map(fmt).sort();
