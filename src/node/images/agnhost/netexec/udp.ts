import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { joinHostPort } from '../../lib/env.js';
import { fatalf, logf } from '../../lib/golog.js';
import { listenError } from '../../lib/neterr.js';

// netexec's UDP server: one datagram in, one answer out. Commands are trimmed and lower-cased
// before matching (so "echo Hi" answers "hi"), exactly as upstream.

/** The answer to one datagram, or undefined when upstream sends nothing back. */
export function udpAnswer(text: string, hostname: () => string, client: string): string | undefined {
  const received = text.trim().toLowerCase();
  if (received === 'hostname') return hostname();
  if (received.startsWith('echo ')) return received.slice('echo '.length);
  if (received === 'clientip') return client;
  if (received.length > 0) logf(`Unknown UDP command received from ${client}: ${received}`);
  return undefined;
}

export function startUDPServer(address: string, port: number, hostname: () => string, onReady: () => void): Socket {
  const sock = createSocket({ type: isIP(address) === 6 ? 'udp6' : 'udp4', recvBufferSize: 2048 });
  sock.on('message', (msg, rinfo) => {
    const client = joinHostPort(rinfo.address, rinfo.port);
    // Go's 2048-byte read buffer truncates longer datagrams.
    const answer = udpAnswer(msg.subarray(0, 2048).toString('utf8'), hostname, client);
    if (answer !== undefined) sock.send(answer, rinfo.port, rinfo.address);
  });
  sock.on('error', (err) =>
    fatalf(`Error occurred: failed to create listener for UDP address ${joinHostPort(address, port)}:${listenError('udp', joinHostPort(address, port), err)}`),
  );
  sock.bind(port, address, () => {
    logf(`Started UDP server on port ${address} ${port}`);
    onReady();
  });
  return sock;
}
