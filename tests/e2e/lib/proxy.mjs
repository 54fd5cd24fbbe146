// A real reverse proxy for the e2e tests of --trusted-proxies (issue 12): Debian's nginx,
// started by the test as a foreground process with its own config, logs and temp folders in a
// temp dir (no root paths, no system service), on a free loopback port. It forwards like a
// typical production config: `X-Forwarded-For $proxy_add_x_forwarded_for` (appends the address
// it saw to whatever the client sent) and `X-Forwarded-Proto $scheme`.
//
// Clients with distinct addresses: on Linux every 127.x.y.z is loopback, so a request may leave
// from 127.0.0.2, 127.0.0.3 … (sourced()), and nginx sees each as a different client.
import { spawn, execFileSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './tessera.mjs';
import { sleep } from './util.mjs';

export const NGINX_BIN = process.env.NGINX_BIN || '/usr/sbin/nginx';

export function nginxAvailable() {
  try {
    execFileSync(NGINX_BIN, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function config(dir, port, upstreamPort) {
  // As root, nginx would hand its workers to `nobody`, who cannot write our temp dir.
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  return `${user}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream tessera { server 127.0.0.1:${upstreamPort}; keepalive 16; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://tessera;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`;
}

export class Nginx {
  constructor(upstreamPort) { this.upstreamPort = upstreamPort; this.out = ''; }

  async start() {
    this.dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tessera-nginx-'));
    this.port = await freePort();
    await fsp.writeFile(path.join(this.dir, 'nginx.conf'), config(this.dir, this.port, this.upstreamPort));
    // -e: the error log before the config is read (the default is under /var/log).
    this.proc = spawn(NGINX_BIN, ['-p', this.dir, '-e', `${this.dir}/error.log`,
      '-c', `${this.dir}/nginx.conf`, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (d) => { this.out += d; });
    this.proc.stderr.on('data', (d) => { this.out += d; });
    this.exited = new Promise((r) => this.proc.on('exit', r));
    for (let i = 0; i < 100; i++) {
      if (this.proc.exitCode !== null) break;
      try {
        const res = await sourced('127.0.0.1', this.port, 'GET', '/healthz');
        if (res.status === 200) return this;
      } catch { /* not yet */ }
      await sleep(50);
    }
    const log = await fsp.readFile(path.join(this.dir, 'error.log'), 'utf8').catch(() => '');
    throw new Error(`nginx did not start: ${this.out}\n${log}`);
  }

  async close() {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGQUIT');
      await Promise.race([this.exited, sleep(5000)]);
      if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    }
    if (this.dir) await fsp.rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * One HTTP request to 127.0.0.1:port leaving from `from` (a loopback address): resolves
 * {status, headers, text, body}. opts: json, headers.
 */
export function sourced(from, port, method, urlPath, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  let data;
  if (opts.json !== undefined) {
    data = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(data);
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers,
      localAddress: from, agent: false, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        let body;
        try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}
