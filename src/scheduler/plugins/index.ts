// The default profile's plugins, in upstream's Filter order (a node's first failing filter is its
// reason) with their Score weights.
import type { Plugin } from '../framework/types.js';
import { balancedAllocation } from './balanced-allocation.js';
import { interPodAffinity } from './inter-pod-affinity.js';
import { nodeAffinity } from './node-affinity.js';
import { nodePorts } from './node-ports.js';
import { nodeResourcesFit } from './node-resources-fit.js';
import { nodeUnschedulable } from './node-unschedulable.js';
import { podTopologySpread } from './pod-topology-spread.js';
import { taintToleration } from './taint-toleration.js';
import { volumeBinding } from './volume-binding.js';

export const defaultPlugins: readonly Plugin[] = [
  nodeUnschedulable,
  taintToleration,
  nodeAffinity,
  nodePorts,
  nodeResourcesFit,
  volumeBinding,
  podTopologySpread,
  interPodAffinity,
  balancedAllocation,
];
