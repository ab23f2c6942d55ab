// Kept only for bench/proxy-iptables.ts (outside src/proxy): the executor lives in ../executor.ts.
// Delete this file once the bench imports netnsExecutor from there.
import type { RuleExecutor } from '../rules.js';
import { netnsExecutor } from '../executor.js';

/** @deprecated use netnsExecutor from src/proxy/executor.js */
export function spawnExecutor(netns?: string): RuleExecutor {
  return netnsExecutor(netns);
}
