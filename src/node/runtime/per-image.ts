// The agent's runtime when it can run OCI images: a runtime per image, as the kubelet would pick a
// RuntimeClass handler. Built-in images and kubesvc.io/host keep the process runtime (fast, no
// image); every other image, once pulled (config.pulled), runs in the OCI runtime (crun).
import { imageKind } from './images.js';
import type { ProcessRuntime } from './process.js';
import type { ContainerConfig, ContainerHandle, ContainerRuntime, LeftoverContainer, OutputOffsets } from './types.js';

export class RuntimePerImage implements ContainerRuntime {
  readonly name = 'kubesvc';

  constructor(
    readonly process: ProcessRuntime,
    readonly oci: ContainerRuntime & { readonly running: ContainerHandle[] },
  ) {}

  private forImage(image: string): ContainerRuntime {
    return imageKind(image) === 'oci' ? this.oci : this.process;
  }

  check(config: Pick<ContainerConfig, 'image' | 'command' | 'args' | 'pulled'>): void {
    this.forImage(config.image).check(config);
  }

  start(config: ContainerConfig): Promise<ContainerHandle> {
    return this.forImage(config.image).start(config);
  }

  signal(handle: ContainerHandle, signal: NodeJS.Signals): void {
    // Each runtime ignores handles it does not run.
    this.process.signal(handle, signal);
    this.oci.signal(handle, signal);
  }

  recoverLeftovers(): void {
    this.process.recoverLeftovers();
    this.oci.recoverLeftovers?.();
  }

  leftover(podUID: string, containerName: string): LeftoverContainer | undefined {
    return this.process.leftover(podUID, containerName) ?? this.oci.leftover?.(podUID, containerName);
  }

  adopt(id: string, offsets: OutputOffsets): ContainerHandle | undefined {
    return this.process.adopt(id, offsets) ?? this.oci.adopt?.(id, offsets);
  }

  async cleanupLeftovers(): Promise<number> {
    return (await this.process.cleanupLeftovers()) + (await this.oci.cleanupLeftovers());
  }

  get running(): ContainerHandle[] {
    return [...this.process.running, ...this.oci.running];
  }
}
