// nginx as the reverse proxy the ingress benchmarks compare with: one worker, no access log,
// keep-alive connections to its upstreams (as ingress-nginx configures them), started in the
// foreground from a config file in `dir`.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `tls`: also an HTTPS server on `tls.listen` with that certificate and key (PEM files). */
export function startNginxProxy(dir: string, listen: string, upstreams: string[], tls?: { listen: string; cert: string; key: string }): ChildProcess {
  const location = 'location / { proxy_pass http://pods; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; }';
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  upstream pods { ${upstreams.map((u) => `server ${u};`).join(' ')} keepalive 64; }
  server { listen ${listen}; ${location} }
${tls ? `  server { listen ${tls.listen} ssl; ssl_certificate ${tls.cert}; ssl_certificate_key ${tls.key}; ${location} }` : ''}
}
`);
  return spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
}
