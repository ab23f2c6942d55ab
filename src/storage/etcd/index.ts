// The "etcd" datastore scheme: etcd://host:port[,host:port...] (registry.ts moves a list of
// endpoints into ?endpoints=). Plain http: kubesvc talks to a local or private etcd.
import type { BackendFactory } from '../backend.js';
import { EtcdBackend } from './backend.js';
import { etcdEndpoints } from './endpoints.js';

export { EtcdBackend } from './backend.js';

export const etcdFactory: BackendFactory = (url) => new EtcdBackend(etcdEndpoints(url));
