// netns mode's plumbing: nodes and pods as network namespaces (see README.md in this folder).
export { type NetRunner, type RunOptions, type RunResult, defaultRunner, netnsArgv, mustRun, NetCommandError } from './runner.js';
export { type NetFiles, defaultFiles } from './files.js';
export { type NetnsOptions, type NetnsEnv, netnsEnv, podUIDHex } from './config.js';
export { findIp, ipCommand } from './ip-command.js';
export { ensureHostBridge, listNamespaces } from './host.js';
export { type NodeNet, nodeNet, createNode, connectNodes, deleteNode, existingNodes } from './node.js';
export { type PodNet, createPodNetwork, deletePodNetwork } from './pod.js';
export { teardownAll, parseLinkNames } from './teardown.js';
export { type HostRoute, hostRoutes, ensureHostRoutes, poolCIDRs, rangeToCIDRs, conflictingRoutes, routeDestination } from './routes.js';
export { type NetnsPodNetworkOptions, netnsPodNetwork } from './pod-network.js';
export { hostIP, nodeIP, podCIDROf, nodeNamespace } from './config.js';
