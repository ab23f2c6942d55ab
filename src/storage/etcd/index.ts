// The "etcd" datastore scheme: etcd://host:port[,host:port...] (registry.ts moves a list of
// endpoints into ?endpoints=). Plain http: kubesvc talks to a local or private etcd.
import type { BackendFactory } from '../backend.js';
import { EtcdBackend } from './backend.js';

export { EtcdBackend } from './backend.js';

export const etcdFactory: BackendFactory = (url) => {
  const list = url.searchParams.get('endpoints') ?? url.host;
  const endpoints = list
    .split(',')
    .filter((e) => e !== '')
    .map((e) => (/^https?:\/\//.test(e) ? e : `http://${e}`));
  if (endpoints.length === 0) throw new Error(`datastore ${url.href}: no etcd endpoint given (etcd://host:port)`);
  return new EtcdBackend(endpoints);
};
