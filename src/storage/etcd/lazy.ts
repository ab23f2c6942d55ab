// The etcd datastore as the registry hands it out: endpoints checked at once, the etcd client
// (gRPC, protobuf: hundreds of milliseconds of loading) only imported when the backend starts.
import { LazyBackend } from '../lazy.js';
import { etcdEndpoints } from './endpoints.js';

export class LazyEtcdBackend extends LazyBackend {
  readonly endpoints: string[];
  constructor(url: URL) {
    const endpoints = etcdEndpoints(url);
    super(async () => new (await import('./backend.js')).EtcdBackend(endpoints));
    this.endpoints = endpoints;
  }
}
