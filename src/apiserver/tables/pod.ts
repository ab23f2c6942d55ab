// Pods: NAME READY STATUS RESTARTS AGE, wide IP NODE NOMINATED NODE READINESS GATES.
import type { Pod } from '../../api/core.js';
import { since } from './duration.js';
import { summarizePod } from './pod-status.js';
import { ageCol, col, nameCol, type Printer, type TableRowCondition } from './types.js';

/** READINESS GATES: `true/total` over spec.readinessGates, `<none>` without gates. */
function readinessGates(pod: Pod): string {
  const gates = (pod.spec?.readinessGates as { conditionType: string }[] | undefined) ?? [];
  if (gates.length === 0) return '<none>';
  let trueCount = 0;
  for (const g of gates) {
    const cond = (pod.status?.conditions ?? []).find((c) => c.type === g.conditionType);
    if (cond?.status === 'True') trueCount++;
  }
  return `${trueCount}/${gates.length}`;
}

export const podPrinter: Printer<Pod> = {
  columns: [
    nameCol(),
    col('Ready', 'string', 'Ready containers out of all containers in the Pod.'),
    col('Status', 'string', 'A one-word summary of the Pod and its containers.'),
    // A string column, not an integer: it carries "(age ago)" of the last restart.
    col('Restarts', 'string', 'Container restarts in the Pod, and how long ago the last one was.'),
    ageCol(),
    col('IP', 'string', 'The Pod\'s primary IP address.', 1),
    col('Node', 'string', 'The node the Pod is bound to.', 1),
    col('Nominated Node', 'string', 'The node a preempting Pod is expected to land on.', 1),
    col('Readiness Gates', 'string', 'Extra readiness conditions that are true, out of those the Pod declares.', 1),
  ],
  cells(pod, now) {
    const s = summarizePod(pod, now);
    const status = (pod.status ?? {}) as { podIP?: string; podIPs?: { ip: string }[]; nominatedNodeName?: string };
    // Upstream's v1 conversion makes podIP authoritative over podIPs[0] when both are set.
    const ip = status.podIP || status.podIPs?.[0]?.ip || '<none>';
    return [
      pod.metadata.name ?? '',
      s.ready,
      s.status,
      s.restarts,
      since(pod.metadata.creationTimestamp, now),
      ip,
      pod.spec?.nodeName || '<none>',
      status.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
  conditions(pod): TableRowCondition[] | undefined {
    // Finished Pods are flagged so clients can tell them apart without parsing STATUS.
    switch (pod.status?.phase) {
      case 'Succeeded':
        return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
      case 'Failed':
        return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
      default:
        return undefined;
    }
  },
};
