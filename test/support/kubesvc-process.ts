// A `bin/kubesvc` process (server, agent, up) started by a test or benchmark, its output kept for
// waiting on and for failure messages, stopped or killed by its own PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { kubesvcBin } from '../e2e/harness.js';

export class KubesvcProcess {
  out = '';
  readonly proc: ChildProcess;
  /** `netns`: run it in that named network namespace (nsenter, so it shares this mount namespace). */
  constructor(readonly name: string, args: string[], netns?: string) {
    const argv = [process.execPath, kubesvcBin, ...args];
    this.proc = netns
      ? spawn('nsenter', [`--net=/run/netns/${netns}`, '--', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d) => (this.out += d));
    this.proc.stderr!.on('data', (d) => (this.out += d));
  }
  async waitFor(re: RegExp, ms = 30_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = re.exec(this.out);
      if (m) return m;
      if (this.proc.exitCode !== null) throw new Error(`${this.name} exited with ${this.proc.exitCode}:\n${this.out.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no ${re} within ${ms} ms:\n${this.out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async signal(sig: NodeJS.Signals): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill(sig);
    await exited;
  }
}

