// The image tag as parsers.ParseImageName sees it, for the imagePullPolicy default.

/** "latest" when the reference names no tag and no digest; "" when only a digest pins it. */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  if (colon >= 0) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}
