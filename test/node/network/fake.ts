// A fake NetRunner and NetFiles that record every call, so unit tests assert the exact commands.
import type { NetRunner, RunOptions, RunResult } from '../../../src/node/network/runner.js';
import type { NetFiles } from '../../../src/node/network/files.js';

export type Reply = Partial<RunResult> | undefined;

export class FakeRunner implements NetRunner {
  /** `cmd` or `[netns] cmd`, in call order. */
  readonly calls: string[] = [];
  constructor(private readonly reply: (line: string, argv: string[], opts: RunOptions) => Reply = () => undefined) {}
  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const line = (opts.netns ? `[${opts.netns}] ` : '') + argv.join(' ');
    this.calls.push(line);
    const r = this.reply(line, argv, opts) ?? {};
    return { code: r.code ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }
}

export class FakeFiles implements NetFiles {
  readonly written = new Map<string, string>();
  readonly removed: string[] = [];
  constructor(readonly dirs: string[] = []) {}
  async write(path: string, data: string): Promise<void> {
    this.written.set(path, data);
  }
  async removeDir(path: string): Promise<void> {
    this.removed.push(path);
  }
  async list(): Promise<string[]> {
    return this.dirs;
  }
  /** The fake /etc/netns is never empty: removing our dirs leaves `this.dirs` as it was. */
  async removeEmptyDir(): Promise<boolean> {
    return false;
  }
}
