// Deployment and ReplicaSet hooks: status belongs to the controllers, so create starts it empty.
import type { KubeObject } from '../../api/meta.js';
import type { StoreHooks } from '../store/hooks.js';

export const workloadHooks: StoreHooks = {
  prepareForCreate(obj: KubeObject) {
    obj.status = {};
  },
};
