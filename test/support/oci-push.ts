// Pushes an image built by oci-image.ts through the distribution API (monolithic blob uploads,
// then the manifests, children before their index), as `skopeo copy` or `docker push` would.
import { busyboxImage, type BuiltImage } from './oci-image.js';

async function pushBlob(base: string, repo: string, digest: string, data: Buffer, headers: Record<string, string>): Promise<void> {
  const head = await fetch(`${base}/v2/${repo}/blobs/${digest}`, { method: 'HEAD', headers });
  if (head.ok) return;
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
  if (start.status !== 202) throw new Error(`start upload of ${digest}: ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location')!, base);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(data.length) },
    body: data,
  });
  if (put.status !== 201) throw new Error(`upload of ${digest}: ${put.status} ${await put.text()}`);
}

async function pushManifest(base: string, repo: string, ref: string, image: BuiltImage, headers: Record<string, string>): Promise<void> {
  const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': image.mediaType },
    body: image.bytes,
  });
  if (res.status !== 201) throw new Error(`push manifest ${repo}:${ref}: ${res.status} ${await res.text()}`);
}

/** Pushes `image` (and, for an index, every platform's image) as `repo:tag` to the registry at `base`. */
export async function pushImage(base: string, repo: string, tag: string, image: BuiltImage, headers: Record<string, string> = {}): Promise<void> {
  for (const child of image.children) {
    for (const [d, b] of child.blobs) await pushBlob(base, repo, d, b, headers);
    await pushManifest(base, repo, child.digest, child, headers);
  }
  for (const [d, b] of image.blobs) await pushBlob(base, repo, d, b, headers);
  await pushManifest(base, repo, tag, image, headers);
}

/**
 * The busybox image of oci-image.ts pushed as `repo:tag` to a registry on 127.0.0.1; returns the
 * reference a pod names ("127.0.0.1:PORT/test/busybox:1"). Its applets include sh and httpd; its
 * WorkingDir /var/www holds an index.html.
 */
export async function pushBusybox(registry: { url: string; host: string }, repo = 'test/busybox', tag = '1'): Promise<string> {
  await pushImage(registry.url, repo, tag, await busyboxImage());
  return `${registry.host}/${repo}:${tag}`;
}
