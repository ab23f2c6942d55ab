// Deployments, ReplicaSets, StatefulSets, DaemonSets and ControllerRevisions: replica counts,
// wide CONTAINERS IMAGES (SELECTOR), as upstream's printers.
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from '../../api/apps.js';
import type { Container } from '../../api/core.js';
import { since } from './duration.js';
import { formatLabels, formatLabelSelector, selectorString } from './labels.js';
import { getControllerOf } from '../../controllers/common/controller-ref.js';
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

export const statefulSetPrinter: Printer<StatefulSet> = {
  columns: [nameCol(), col('Ready', 'string', 'Ready Pods out of the desired replicas.'), ageCol(), containersCol(), imagesCol()],
  cells(s, now) {
    const [names, images] = containerCells(s.spec?.template?.spec?.containers);
    return [s.metadata.name ?? '', `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}`, since(s.metadata.creationTimestamp, now), names, images];
  },
};

export const daemonSetPrinter: Printer<DaemonSet> = {
  columns: [
    nameCol(),
    col('Desired', 'integer', 'Nodes that should run the daemon Pod.'),
    col('Current', 'integer', 'Nodes running at least one daemon Pod that should.'),
    col('Ready', 'integer', 'Nodes whose daemon Pod is ready.'),
    col('Up-to-date', 'integer', 'Nodes running the updated daemon Pod.'),
    col('Available', 'integer', 'Nodes whose daemon Pod has been ready for minReadySeconds.'),
    col('Node Selector', 'string', 'The template\'s nodeSelector.'),
    ageCol(),
    containersCol(),
    imagesCol(),
    selectorCol(),
  ],
  cells(ds, now) {
    const st = ds.status;
    const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
    return [
      ds.metadata.name ?? '',
      st?.desiredNumberScheduled ?? 0,
      st?.currentNumberScheduled ?? 0,
      st?.numberReady ?? 0,
      st?.updatedNumberScheduled ?? 0,
      st?.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      since(ds.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};

export const controllerRevisionPrinter: Printer<ControllerRevision> = {
  columns: [
    nameCol(),
    col('Controller', 'string', 'The object this revision belongs to, as kind.group/name.'),
    col('Revision', 'integer', 'The revision number.'),
    ageCol(),
  ],
  cells(r, now) {
    const ref = getControllerOf(r);
    let controller = '<none>';
    if (ref) {
      const slash = ref.apiVersion.indexOf('/');
      const group = slash >= 0 ? ref.apiVersion.slice(0, slash) : '';
      controller = `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
    }
    return [r.metadata.name ?? '', controller, r.revision ?? 0, since(r.metadata.creationTimestamp, now)];
  },
};
