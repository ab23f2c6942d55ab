import type { IncomingMessage, ServerResponse } from 'node:http';
import { spawn } from 'node:child_process';
import { logf } from '../../lib/golog.js';
import { goJSON, goQuote, goTimeNow, parseGoDuration, formatGoDuration } from '../../lib/gofmt.js';
import { dial } from './dial.js';
import { canonicalHeaderKey, goHTTPError, goRedirect, goWrite } from './gohttp.js';

// netexec's HTTP endpoints. Response bodies, status codes and log lines follow upstream.

export interface NetexecState {
  hostname(): string;
  /** the UDP server is up (upstream's serverReady) */
  ready: boolean;
  /** SIGTERM seen: /readyz answers 503 while --delay-shutdown runs */
  terminating: boolean;
  /** graceful shutdown for /exit with a timeout */
  shutdown(code: number, timeoutNs: number): void;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  form: URLSearchParams;
  /** r.RemoteAddr: "ip:port", empty for --http-override requests */
  remoteAddr: string;
}

type Handler = (ctx: RequestContext, state: NetexecState) => void | Promise<void>;

const sleepNs = (ns: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ns / 1e6)));

const root: Handler = ({ res }) => {
  logf('GET /');
  goWrite(res, `NOW: ${goTimeNow()}`);
};

const echo: Handler = ({ res, form }) => {
  const msg = form.get('msg') ?? '';
  const codeString = form.get('code') ?? '';
  logf(`GET /echo?msg=${msg}&code=${codeString}`);
  let code = 200;
  if (codeString !== '') {
    if (!/^[+-]?\d+$/.test(codeString)) {
      goWrite(res, `argument 'code' must be an integer or empty, got ${goQuote(codeString)}\n`);
      return;
    }
    code = Number(codeString);
  }
  goWrite(res, msg, code);
};

const clientIP: Handler = ({ res, remoteAddr }) => {
  logf('GET /clientip');
  goWrite(res, remoteAddr);
};

const header: Handler = ({ req, res, form }) => {
  const key = form.get('key') ?? '';
  if (key !== '') {
    logf(`GET /header?key=${key}`);
    const v = req.headersDistinct[key.toLowerCase()];
    goWrite(res, v && v.length > 0 ? v[0]! : '');
    return;
  }
  logf('GET /header');
  const all: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(req.headersDistinct)) {
    // Go moves Host out of the header map into r.Host.
    if (k === 'host' || !v) continue;
    all[canonicalHeaderKey(k)] = v;
  }
  goWrite(res, goJSON(all));
};

const exit: Handler = async ({ res, form }, state) => {
  const waitString = form.get('wait') ?? '';
  const timeoutString = form.get('timeout') ?? '';
  const codeString = form.get('code') ?? '';
  logf(`GET /exit?code=${codeString}&timeout=${timeoutString}&wait=${waitString}`);
  let timeout = 0;
  let wait = 0;
  try {
    timeout = timeoutString === '' ? 0 : parseGoDuration(timeoutString);
  } catch {
    goWrite(res, `argument 'timeout' must be a valid golang duration or empty, got ${goQuote(timeoutString)}\n`);
    return;
  }
  try {
    wait = waitString === '' ? 0 : parseGoDuration(waitString);
  } catch {
    goWrite(res, `argument 'wait' must be a valid golang duration or empty, got ${goQuote(waitString)}\n`);
    return;
  }
  if (codeString !== '' && !/^[+-]?\d+$/.test(codeString)) {
    goWrite(res, `argument 'code' must be an integer [0-127] or empty, got ${goQuote(codeString)}\n`);
    return;
  }
  const code = codeString === '' ? 0 : Number(codeString);
  logf(
    `Will begin shutdown in ${formatGoDuration(wait)}, allowing ${formatGoDuration(timeout)} for connections to close, then will exit with ${code}`,
  );
  await sleepNs(wait);
  // No timeout: exit before answering, so the caller sees the connection drop, as upstream.
  if (timeout === 0) process.exit(code);
  state.shutdown(code, timeout);
  goWrite(res, '');
};

const hostname: Handler = ({ res }, state) => {
  logf('GET /hostname');
  goWrite(res, state.hostname());
};

const hostName: Handler = ({ res }, state) => {
  logf('GET /hostName');
  goWrite(res, state.hostname());
};

const healthz: Handler = ({ res }, state) => {
  logf('GET /healthz');
  // Upstream reports healthy only once the UDP (or SCTP) server is up; with --udp-port=-1 it stays 412.
  goWrite(res, '', state.ready ? 200 : 412);
};

const readyz: Handler = ({ res }, state) => {
  logf('GET /readyz');
  if (state.terminating) goWrite(res, 'shutting down', 503);
  else if (state.ready) goWrite(res, 'ok');
  else goWrite(res, '', 412);
};

const shutdown: Handler = () => {
  logf('GET /shutdown');
  process.exit(0);
};

const redirect: Handler = ({ req, res, form }) => {
  const location = form.get('location') ?? '';
  const codeString = form.get('code') ?? '';
  logf(`${req.method} /redirect?msg=${location}&code=${codeString}`);
  let code = 302;
  if (codeString !== '') {
    if (!/^[+-]?\d+$/.test(codeString)) {
      goWrite(res, `argument 'code' must be an integer or empty, got ${goQuote(codeString)}\n`);
      return;
    }
    code = Number(codeString);
  }
  goRedirect(req, res, location, code);
};

/** exec.Command("/bin/sh", "-c", cmd).CombinedOutput() */
function combinedOutput(cmd: string): Promise<{ output: string; error?: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const child = spawn('/bin/sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', (err) => resolve({ output: '', error: `fork/exec /bin/sh: ${err.message}` }));
    child.on('close', (code, signal) => {
      const output = Buffer.concat(chunks).toString('utf8');
      if (signal) resolve({ output, error: `signal: ${signalText(signal)}` });
      else if (code !== 0) resolve({ output, error: `exit status ${code}` });
      else resolve({ output });
    });
  });
}

function signalText(s: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed',
    SIGTERM: 'terminated',
    SIGINT: 'interrupt',
    SIGSEGV: 'segmentation fault',
    SIGABRT: 'aborted',
    SIGPIPE: 'broken pipe',
    SIGHUP: 'hangup',
  };
  return names[s] ?? s;
}

const shell: Handler = async ({ res, form }) => {
  const cmd = form.get('shellCommand') || (form.get('cmd') ?? '');
  logf(`GET /shell?cmd=${cmd}`);
  const r = await combinedOutput(cmd);
  const output: Record<string, string> = {};
  if (r.output.length > 0) output.output = r.output;
  if (r.error !== undefined) output.error = r.error;
  logf(`Output: map[${Object.keys(output).sort().map((k) => `${k}:${output[k]}`).join(' ')}]`);
  goWrite(res, goJSON(output));
};

const dialRoute: Handler = async ({ res, url }) => {
  const q = url.searchParams;
  const query = {
    host: q.get('host') ?? '',
    port: q.get('port') ?? '',
    request: q.get('request') ?? '',
    protocol: q.get('protocol') ?? '',
    tries: q.get('tries') ?? '',
  };
  logf(`GET /dial?host=${query.host}&protocol=${query.protocol}&port=${query.port}&request=${query.request}&tries=${query.tries}`);
  const out = await dial(query);
  if ('body' in out) goWrite(res, out.body);
  else goHTTPError(res, out.error, out.status);
};

const upload: Handler = ({ res }) => {
  // The image writes uploads under /uploads; kubesvc pods share the host's filesystem, so
  // uploads are refused the way upstream refuses a request without a file.
  logf('GET /upload');
  goWrite(res, goJSON({ error: 'Unable to upload file.' }));
};

/** ServeMux patterns: exact paths, everything else to "/". */
export const routes: Record<string, Handler> = {
  '/clientip': clientIP,
  '/header': header,
  '/dial': dialRoute,
  '/echo': echo,
  '/exit': exit,
  '/healthz': healthz,
  '/readyz': readyz,
  '/hostname': hostname,
  '/redirect': redirect,
  '/shell': shell,
  '/upload': upload,
  '/hostName': hostName,
  '/shutdown': shutdown,
};

export const rootHandler: Handler = root;
