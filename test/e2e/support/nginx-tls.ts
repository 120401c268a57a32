// nginx over TLS and HTTP/2 in front of the server, as most deployments have it: the only way a browser
// sends a request body in pieces (Chromium streams fetch bodies over HTTP/2 or later, never HTTP/1.1).
// A self-signed certificate is made per test; launch Chromium with --ignore-certificate-errors.
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, runNginx, type NginxHandle, type NginxOptions } from './nginx.js';

export async function startNginxTls(prefix: string, options: NginxOptions): Promise<NginxHandle> {
  await mkdir(prefix, { recursive: true });
  const port = await freePort();
  const [cert, key] = [join(prefix, 'cert.pem'), join(prefix, 'key.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((d) => `  ${d}_temp_path ${prefix}/${d};`)
    .join('\n');
  const conf = `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${prefix}/nginx.pid;
events { worker_connections 256; }
http {
  access_log off;
${temp}
  server {
    listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    client_max_body_size ${options.maxBody};
    proxy_request_buffering ${options.requestBuffering ? 'on' : 'off'};
    client_body_buffer_size 16k;
    location / {
      proxy_pass http://127.0.0.1:${options.upstreamPort};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
  return runNginx(prefix, conf, port);
}
