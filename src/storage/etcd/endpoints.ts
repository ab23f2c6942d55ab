// Parses the endpoints of an etcd:// datastore spec without loading the etcd client.
export function etcdEndpoints(url: URL): string[] {
  const list = url.searchParams.get('endpoints') ?? url.host;
  const endpoints = list
    .split(',')
    .filter((e) => e !== '')
    .map((e) => (/^https?:\/\//.test(e) ? e : `http://${e}`));
  if (endpoints.length === 0) throw new Error(`datastore ${url.href}: no etcd endpoint given (etcd://host:port)`);
  return endpoints;
}
