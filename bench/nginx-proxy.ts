// nginx as the reverse proxy the ingress benchmarks compare with: one worker, no access log,
// keep-alive connections to its upstreams (as ingress-nginx configures them), started in the
// foreground from a config file in `dir`. Optionally a second server on the same worker that logs
// every request as ingress-nginx does (its upstreaminfo fields, one write per request to a file:
// ingress-nginx's access.log is its stdout), to compare with the kubesvc controller's default.
import './closed-output.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `tls`: also an HTTPS server on `tls.listen` with that certificate and key (PEM files). */
export function startNginxProxy(dir: string, listen: string, upstreams: string[], tls?: { listen: string; cert: string; key: string }, loggedListen?: string): ChildProcess {
  const location = 'location / { proxy_pass http://pods; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; }';
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  log_format upstreaminfo '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $request_id';
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  upstream pods { ${upstreams.map((u) => `server ${u};`).join(' ')} keepalive 64; }
  server { listen ${listen}; ${location} }
${tls ? `  server { listen ${tls.listen} ssl; ssl_certificate ${tls.cert}; ssl_certificate_key ${tls.key}; ${location} }` : ''}
${loggedListen ? `  server { listen ${loggedListen}; access_log ${dir}/access.log upstreaminfo; ${location} }` : ''}
}
`);
  return spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
}
