// What the userspace proxy's TCP listener knows of a client connection, whichever way it is
// carried (Node's streams, or the tcp-relay addon in C): the decisions are the listener's
// (tcp-proxy.ts), the sockets the transport's (tcp-streams.ts, tcp-native.ts).
import type { Flow } from '../metrics/traffic.js';

/** What a transport tells the listener about its connections. */
export interface ConnectionEvents {
  /** A client connected: the listener dials an endpoint for it or turns it away. */
  accepted(c: ProxiedConnection): void;
  /** A dial ended: connected (and relaying) or failed (the client waits for another dial or a reset). */
  dialed(c: ProxiedConnection, connected: boolean): void;
  /** The connection is over (both sides ended, or either failed). Also after reset() and destroy(). */
  ended(c: ProxiedConnection): void;
}

export abstract class ProxiedConnection implements Flow {
  /** The balancer and Service port it was accepted for (a sync may retarget the listener meanwhile). */
  balancer = '';
  servicePort = '';
  /** The client's address where session affinity or source ranges need it, else ''. */
  clientIP = '';
  /** The endpoint ("ip:port") dialed last, and how many dials failed before. */
  endpoint = '';
  failedDials = 0;
  /** Called when the connection ends: its figures go to the traffic counters. */
  closed: (() => void) | undefined;

  /** The client's address. */
  abstract peer(): string;
  /** Connects to the endpoint within timeoutMs; the outcome is a `dialed` event, never reported from inside this call. */
  abstract dial(host: string, port: number, timeoutMs: number): void;
  /** Turns the client away with an RST. */
  abstract reset(): void;
  /** Closes both sides now. */
  abstract destroy(): void;
  abstract toEndpoint(): number;
  abstract toClient(): number;
}

/** A listening socket of either transport. */
export interface TcpTransport {
  /** Stops accepting; connections already accepted carry on. */
  close(): Promise<void>;
}
