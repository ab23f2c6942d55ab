import { FlagError, flagUsages, parseFlags, type FlagSpec, type FlagValues } from './flags.js';

// agnhost is a cobra program named "app"; its subcommands accept klog's logging flags as global
// flags (some e2e tests pass them), so we accept and ignore those too.
const KLOG_FLAGS: FlagSpec[] = [
  { name: 'add_dir_header', kind: 'bool', default: false, usage: 'If true, adds the file directory to the header of the log messages' },
  { name: 'alsologtostderr', kind: 'bool', default: false, usage: 'log to standard error as well as files (no effect when -logtostderr=true)' },
  { name: 'log_backtrace_at', kind: 'string', default: ':0', usage: 'when logging hits line file:N, emit a stack trace' },
  { name: 'log_dir', kind: 'string', default: '', usage: 'If non-empty, write log files in this directory (no effect when -logtostderr=true)' },
  { name: 'log_file', kind: 'string', default: '', usage: 'If non-empty, use this log file (no effect when -logtostderr=true)' },
  { name: 'log_file_max_size', kind: 'int', default: 1800, usage: 'Defines the maximum size a log file can grow to (no effect when -logtostderr=true). Unit is megabytes.' },
  { name: 'logtostderr', kind: 'bool', default: true, usage: 'log to standard error instead of files' },
  { name: 'one_output', kind: 'bool', default: false, usage: 'If true, only write logs to their native severity level (vs also writing to each lower severity level; no effect when -logtostderr=true)' },
  { name: 'skip_headers', kind: 'bool', default: false, usage: 'If true, avoid header prefixes in the log messages' },
  { name: 'skip_log_headers', kind: 'bool', default: false, usage: 'If true, avoid headers when opening log files (no effect when -logtostderr=true)' },
  { name: 'stderrthreshold', kind: 'string', default: '2', usage: 'logs at or above this threshold go to stderr when writing to files and stderr (no effect when -logtostderr=true or -alsologtostderr=true)' },
  { name: 'v', shorthand: 'v', kind: 'string', default: '0', usage: 'number for the log level verbosity' },
  { name: 'vmodule', kind: 'string', default: '', usage: 'comma-separated list of pattern=N settings for file-filtered logging' },
];

export interface Subcommand {
  use: string;
  short: string;
  long: string;
  flags: FlagSpec[];
  /** starts the program; the process stays up as long as its servers or timers do */
  run(flags: FlagValues): void | Promise<void>;
}

function usage(cmd: Subcommand, help: FlagSpec): string {
  return (
    `Usage:\n  app ${cmd.use} [flags]\n\nFlags:\n${flagUsages([...cmd.flags, help].sort((a, b) => a.name.localeCompare(b.name)))}` +
    `\nGlobal Flags:\n${flagUsages(KLOG_FLAGS)}`
  );
}

/** Parses argv as cobra would for this subcommand, then runs it. Bad flags: usage on stderr, exit 1. */
export async function runSubcommand(cmd: Subcommand, argv: string[]): Promise<void> {
  const help: FlagSpec = { name: 'help', shorthand: 'h', kind: 'bool', default: false, usage: `help for ${cmd.use}` };
  let values: FlagValues;
  try {
    const parsed = parseFlags(argv, [...cmd.flags, help, ...KLOG_FLAGS]);
    if (parsed.values.help === true) {
      process.stdout.write(`${cmd.long}\n\n${usage(cmd, help)}`);
      process.exit(0);
    }
    if (parsed.positional.length > 0) {
      throw new FlagError(`accepts at most 0 arg(s), received ${parsed.positional.length}`);
    }
    values = parsed.values;
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`Error: ${err.message}\n${usage(cmd, help)}\n`);
    // Upstream's main ignores cobra's error and exits 0; a failing exit code is what a user of a
    // misconfigured pod needs to see (CrashLoopBackOff rather than Completed).
    process.exit(1);
  }
  await cmd.run(values);
}
