// Deployments and ReplicaSets: replica counts, wide CONTAINERS IMAGES SELECTOR.
import type { Deployment, ReplicaSet } from '../../api/apps.js';
import type { Container } from '../../api/core.js';
import { since } from './duration.js';
import { formatLabelSelector, selectorString } from './labels.js';
import { ageCol, col, nameCol, type Printer } from './types.js';

/** CONTAINERS and IMAGES: every container of the template on one line, comma-joined in order. */
export function containerCells(containers: Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

const containersCol = () => col('Containers', 'string', 'Container names in the Pod template.', 1);
const imagesCol = () => col('Images', 'string', 'Container images in the Pod template.', 1);
const selectorCol = () => col('Selector', 'string', 'Labels that pick the Pods this object owns.', 1);

export const deploymentPrinter: Printer<Deployment> = {
  columns: [
    nameCol(),
    col('Ready', 'string', 'Ready Pods out of the desired replicas.'),
    col('Up-to-date', 'string', 'Pods already running the latest Pod template.'),
    col('Available', 'string', 'Pods ready for at least minReadySeconds.'),
    ageCol(),
    containersCol(),
    imagesCol(),
    selectorCol(),
  ],
  cells(d, now) {
    const st = d.status ?? {};
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    // Deployments print the bare selector string (no `<none>`), unlike ReplicaSets.
    let selector: string;
    try {
      selector = selectorString(d.spec?.selector);
    } catch {
      selector = '<invalid>';
    }
    return [
      d.metadata.name ?? '',
      `${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      st.updatedReplicas ?? 0,
      st.availableReplicas ?? 0,
      since(d.metadata.creationTimestamp, now),
      names,
      images,
      selector,
    ];
  },
};

export const replicaSetPrinter: Printer<ReplicaSet> = {
  columns: [
    nameCol(),
    col('Desired', 'integer', 'Replicas the ReplicaSet wants.'),
    col('Current', 'integer', 'Replicas that exist now.'),
    col('Ready', 'integer', 'Replicas that are ready.'),
    ageCol(),
    containersCol(),
    imagesCol(),
    selectorCol(),
  ],
  cells(rs, now) {
    const st = rs.status ?? { replicas: 0 };
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata.name ?? '',
      rs.spec?.replicas ?? 0,
      st.replicas ?? 0,
      st.readyReplicas ?? 0,
      since(rs.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};
