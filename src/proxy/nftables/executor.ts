// Kept only for bench/proxy-nftables.ts (outside src/proxy): the executor lives in ../executor.ts.
// Delete this file once the bench imports from there.
export { commandExecutor, netnsExecutor } from '../executor.js';
