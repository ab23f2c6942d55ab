// dgram resolves the address of every unconnected send through dns.lookup, which for an IP
// literal still defers the send to the next tick (a closure and a tick per packet). A server
// replying to rinfo.address always has a literal: this lookup hands it straight back, so the
// send happens within the 'message' handler. (dgram passes the family as a number: 4 or 6.)
import type { SocketOptions } from 'node:dgram';

export const literalLookup: NonNullable<SocketOptions['lookup']> = (address, family, cb) => {
  cb(null, address, typeof family === 'number' ? family : address.includes(':') ? 6 : 4);
};
