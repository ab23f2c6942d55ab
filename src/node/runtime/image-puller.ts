// The seam between the node agent and image pulling (the CRI ImageService's PullImage, narrowed to
// what the agent needs): the agent asks for an image under the pod's pull policy and secrets, and
// gets back where its unpacked root filesystem is and what its config says. Built-in images never
// come here; everything else is an OCI image pulled from a registry.

/** The parts of an OCI image config (`config` of application/vnd.oci.image.config.v1+json) a container uses. */
export interface OciImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  /** `NAME=value` entries, as in the image config. */
  Env?: string[];
  WorkingDir?: string;
  /** `user`, `uid`, `user:group` or `uid:gid`, as in the image config. */
  User?: string;
  ExposedPorts?: Record<string, unknown>;
  Labels?: Record<string, string>;
}

export interface PulledImage {
  /** What status.containerStatuses[].imageID shows: `<repository>@sha256:<manifest digest>`. */
  imageID: string;
  /** The image's unpacked root filesystem: shared by every container of the image, never written to. */
  rootfs: string;
  config: OciImageConfig;
}

/** The `auths` of a kubernetes.io/dockerconfigjson Secret's `.dockerconfigjson`, already decoded. */
export type DockerConfigAuths = Record<string, { auth?: string; username?: string; password?: string }>;

export interface PullRequest {
  image: string;
  pullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** From the pod's imagePullSecrets, in order (the first that matches the registry is used). */
  pullSecrets: DockerConfigAuths[];
}

/** What the agent turns into the pod's events (Pulling, Pulled) as the kubelet words them. */
export type PullProgress =
  | { type: 'Pulling'; image: string }
  | { type: 'Pulled'; image: string; message: string }
  | { type: 'AlreadyPresent'; image: string };

/** A pull failed: the container waits with ErrImagePull, then ImagePullBackOff (the agent's back-off). */
export class ImagePullError extends Error {
  readonly reason = 'ErrImagePull';
}

/** pullPolicy Never and the image is not present: reason ErrImageNeverPull, no back-off. */
export class ImageNeverPullError extends Error {
  readonly reason = 'ErrImageNeverPull';
}

export interface ImagePuller {
  /** Resolves once the image is present (pulled at most once at a time per image, whoever asks). */
  ensure(req: PullRequest, progress?: (p: PullProgress) => void): Promise<PulledImage>;
}
