/**
 * A private nginx in front of a test's quire-server, terminating TLS with a self-signed
 * certificate made for the test. Its site configuration is the one docs/operations.md shows
 * ("Behind a reverse proxy, with TLS"), read from that page with only the port, the certificate
 * and the log path replaced, so the documented configuration is the tested one.
 *
 * Own prefix, temp paths, pid file and logs in a temp dir, on a free port, in the foreground
 * (`daemon off`, one process) as a child of the test: the system nginx is never touched.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OPERATIONS_DOC = join(repoRoot, 'docs', 'operations.md');
const SECTION = '## Behind a reverse proxy, with TLS';
/** QUIRE_NGINX, else Debian's path (often not on a non-root PATH), else `nginx` on the PATH. */
const NGINX =
  process.env.QUIRE_NGINX ?? (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx');
/** How long nginx may take to accept TLS connections on its port. */
const START_TIMEOUT_MS = 10_000;

export interface NginxHandle {
  /** `https://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The self-signed certificate (PEM), for clients that verify it. */
  certificate: string;
  /** The access log so far (the documented `quire` log_format). */
  accessLog(): string;
  /** The error log so far. */
  errorLog(): string;
  stop(): Promise<void>;
}

/** The documented nginx configuration (the section's first ```nginx block). */
export function documentedNginxConfig(): string {
  const doc = readFileSync(OPERATIONS_DOC, 'utf8');
  const section = doc.slice(doc.indexOf(SECTION));
  const block = /```nginx\n([^]*?)```/.exec(section)?.[1];
  if (doc.indexOf(SECTION) < 0 || block === undefined) {
    throw new Error(`${OPERATIONS_DOC} has no \`\`\`nginx block under "${SECTION}"`);
  }
  return block;
}

/** Each replaced string must appear exactly once, so a changed page fails here, not silently. */
function replaceOnce(text: string, from: string, to: string): string {
  const parts = text.split(from);
  if (parts.length !== 2) {
    throw new Error(`the documented nginx configuration must contain "${from}" exactly once`);
  }
  return parts.join(to);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

function selfSignedCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  // prettier-ignore
  const args = [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ];
  execFileSync('openssl', args, { stdio: 'ignore' });
  return { cert, key };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolveOpen(true);
    });
    socket.once('error', () => resolveOpen(false));
  });
}

/** Starts nginx proxying https://127.0.0.1:<free port> to Quire on `upstreamPort`. */
export async function startNginx(upstreamPort: number): Promise<NginxHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-nginx-'));
  const { cert, key } = selfSignedCertificate(dir);
  const accessLogPath = join(dir, 'access.log');
  const errorLogPath = join(dir, 'error.log');
  const pidFile = join(dir, 'nginx.pid');
  const port = await freePort();
  let site = documentedNginxConfig();
  site = replaceOnce(site, 'listen 443 ssl;', `listen 127.0.0.1:${port} ssl;`);
  site = replaceOnce(site, '/etc/letsencrypt/live/docs.example.com/fullchain.pem', cert);
  site = replaceOnce(site, '/etc/letsencrypt/live/docs.example.com/privkey.pem', key);
  site = replaceOnce(site, '/var/log/nginx/quire.access.log', accessLogPath);
  site = replaceOnce(site, 'http://127.0.0.1:1234', `http://127.0.0.1:${upstreamPort}`);
  for (const temp of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, temp));
  // What a packaged nginx has in nginx.conf around the site: here all of it in the temp dir, one
  // foreground process (no master to outlive a killed test, no switch to another user).
  const config = `daemon off;
master_process off;
pid ${pidFile};
error_log ${errorLogPath} warn;
events { worker_connections 256; }
http {
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
${site}
}
`;
  const configPath = join(dir, 'nginx.conf');
  writeFileSync(configPath, config);
  const child = spawn(NGINX, ['-p', dir, '-c', configPath, '-e', errorLogPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let spawnFailed = false;
  child.once('error', (error) => {
    spawnFailed = true;
    output += `${error.message}: install nginx (Debian: apt-get install -y nginx-light)\n`;
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  // nginx writes its pid file once its sockets are bound: with our pid in it, the port that
  // answers is this nginx's (not whatever took the free port first).
  const ready = async () => read(pidFile).trim() === String(child.pid) && (await portOpen(port));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await ready())) {
    if (spawnFailed || child.exitCode !== null || Date.now() > deadline) {
      const why = `${output}${read(errorLogPath)}`;
      await stop();
      throw new Error(`nginx did not start on port ${port}:\n${why}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    certificate: readFileSync(cert, 'utf8'),
    accessLog: () => read(accessLogPath),
    errorLog: () => read(errorLogPath),
    stop,
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  // Never started (no such binary), or already gone.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
