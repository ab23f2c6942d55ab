// How a container's command and args combine with an image's ENTRYPOINT and CMD (Kubernetes'
// rules, the same as Docker's): a command replaces ENTRYPOINT and drops CMD; args alone replace
// CMD; an empty list counts as unset.

export class UnsupportedCommandError extends Error {
  constructor(
    readonly image: string,
    readonly command: string[],
  ) {
    super(
      `image ${image} is built into kubesvc and can only run its own entrypoint; command ${JSON.stringify(command)} is not supported`,
    );
    this.name = 'UnsupportedCommandError';
  }
}

export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  /** names argv[0] may take in a container command and still mean this image's program */
  binaries: string[];
}

/** The full argv the container would run, argv[0] included. */
export function containerArgv(config: ImageConfig, command: string[] | undefined, args: string[] | undefined): string[] {
  const hasCommand = command !== undefined && command.length > 0;
  const hasArgs = args !== undefined && args.length > 0;
  if (hasCommand) return [...command, ...(hasArgs ? args : [])];
  return [...config.entrypoint, ...(hasArgs ? args : config.cmd)];
}

/** "/agnhost", "agnhost", "./agnhost" all name the binary at the image's root (its WORKDIR is /). */
export function isImageBinary(config: ImageConfig, argv0: string): boolean {
  const base = argv0.replace(/^(\.\/|\/)/, '');
  return config.binaries.includes(base);
}

/** argv after argv[0], for the built-in program; throws UnsupportedCommandError for other binaries. */
export function programArgs(image: string, config: ImageConfig, command: string[] | undefined, args: string[] | undefined): string[] {
  const argv = containerArgv(config, command, args);
  if (!isImageBinary(config, argv[0] ?? '')) throw new UnsupportedCommandError(image, command ?? []);
  return argv.slice(1);
}
