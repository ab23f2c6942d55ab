// The userspace mode as the mode registry (../modes.ts) knows it: a TCP/UDP proxy in this process.
import type { ProxyMode } from '../mode.js';
import { UserspaceProvider } from './provider.js';

export const userspaceMode: ProxyMode = {
  name: 'userspace',
  kernel: false,
  async newProvider(opts) {
    return new UserspaceProvider({
      nodeName: opts.nodeName,
      nodeIP: opts.nodeIP,
      ...(opts.udpIdleTimeoutMs !== undefined ? { udpIdleTimeoutMs: opts.udpIdleTimeoutMs } : {}),
      ...(opts.report ? { report: opts.report } : {}),
    });
  },
};
