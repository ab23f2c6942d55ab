// Image references as the kubelet sees them: "[registry/]repository[:tag][@digest]". Built-in
// images are recognised by repository alone; any tag or digest runs the same code.

export function imageRepository(image: string): string {
  let ref = image.trim();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  // A colon after the last slash is a tag; one before it belongs to a registry port.
  if (colon > slash) ref = ref.slice(0, colon);
  if (ref.startsWith('docker.io/')) ref = ref.slice('docker.io/'.length);
  return ref.toLowerCase();
}
