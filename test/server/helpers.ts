// Speaks HTTP to the real server: node:http rather than fetch, so tests can send chunked, cut or
// raw bodies and headers fetch forbids.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';
import type { AddressInfo } from 'node:net';
import { handlerInternals } from '../../src/server/http/node.js';
import { createUploadHandler, startUploadServer } from '../../src/server/index.js';
import type {
  RunningUploadServer,
  StartUploadServerOptions,
  UploadHandler,
  UploadServerOptions,
} from '../../src/server/index.js';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** A fresh folder, removed when the test file ends. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ru-server-'));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts the server on an ephemeral port with a fresh folder (unless given); closed when the file ends. */
export async function start(
  options: StartUploadServerOptions = {},
): Promise<RunningUploadServer & { dir: string }> {
  const dir = options.dir ?? (await tempDir());
  const running = await startUploadServer({ ...options, dir });
  after(() => running.close());
  return { ...running, dir };
}

/** The bare handler on a plain node:http server, for tests that call `sweep()` on it. */
export async function startHandler(
  options: UploadServerOptions = {},
): Promise<{ url: string; dir: string; handler: UploadHandler }> {
  const dir = options.dir ?? (await tempDir());
  const handler = createUploadHandler({ ...options, dir });
  // Its folders exist and the first sweep has run, as startUploadServer waits for before it listens.
  await handlerInternals(handler).ready;
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await handler.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, dir, handler };
}

export interface RequestOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  /** Sent with Content-Length, unless `chunked`. */
  body?: Buffer | string;
  /** Send the body with Transfer-Encoding: chunked (no Content-Length). */
  chunked?: boolean;
}

/** Reads a response to its end. */
export function readReply(res: IncomingMessage): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }),
    );
    res.on('error', reject);
  });
}

/** One request, read to the end. */
export function request(url: string, options: RequestOptions = {}): Promise<Reply> {
  const { method = 'GET', headers = {}, body, chunked = false } = options;
  const payload = body === undefined ? undefined : Buffer.from(body);
  const all: OutgoingHttpHeaders = { ...headers };
  if (payload && !chunked) all['Content-Length'] = payload.length;
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: all, agent: false }, (res) =>
      readReply(res).then(resolve, reject),
    );
    req.on('error', reject);
    if (chunked) req.setHeader('Transfer-Encoding', 'chunked');
    req.end(payload);
  });
}

/**
 * Opens a request and sends only its headers, so the test decides what the body does next.
 * `response` settles with the answer (or the client-side error when none comes).
 */
export function openRequest(
  url: string,
  method: string,
  headers: OutgoingHttpHeaders,
): { req: ClientRequest; response: Promise<Reply> } {
  const req = httpRequest(url, { method, headers, agent: false });
  const response = new Promise<Reply>((resolve, reject) => {
    req.on('response', (res) => readReply(res).then(resolve, reject));
    req.on('error', reject);
  });
  req.flushHeaders();
  return { req, response };
}

export async function getStatus(
  base: string,
  id: string,
  headers: OutgoingHttpHeaders = {},
): Promise<number> {
  const reply = await request(`${base}/status`, { headers: { 'X-File-Id': id, ...headers } });
  if (reply.status !== 200) throw new Error(`status answered ${reply.status}: ${reply.text}`);
  return Number(reply.text);
}

export function send(
  base: string,
  id: string,
  start: number,
  body: Buffer | string,
  size?: number,
  headers: OutgoingHttpHeaders = {},
): Promise<Reply> {
  const all: OutgoingHttpHeaders = { 'X-File-Id': id, 'X-Start-Byte': String(start), ...headers };
  if (size !== undefined) all['X-File-Size'] = String(size);
  return request(`${base}/upload`, { method: 'POST', headers: all, body });
}

/** Uploads `data` in `chunkSize` pieces, asserting each answer is the new offset. */
export async function uploadAll(base: string, id: string, data: Buffer, chunkSize: number): Promise<void> {
  let offset = 0;
  do {
    const end = Math.min(offset + chunkSize, data.length);
    const reply = await send(base, id, offset, data.subarray(offset, end), data.length);
    if (reply.status !== 200 || Number(reply.text) !== end) {
      throw new Error(`upload at ${offset} answered ${reply.status}: ${reply.text}`);
    }
    offset = end;
  } while (offset < data.length);
}

/** Every file under `dir`, as absolute paths. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The store's layout: <dir>/{partial,complete}/<sha256(owner NUL id)>. */
export const keyOf = (id: string, owner = 'anonymous'): string =>
  createHash('sha256').update(`${owner}\0${id}`, 'utf8').digest('hex');

export const randomData = (n: number): Buffer => randomBytes(n);

/** Polls `check` until it returns a value other than undefined; fails after `ms`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface CliProcess {
  child: ChildProcess;
  url: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the CLI through tsx; resolves once it prints its listening line. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /resumable-upload-server listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1], output: () => out, exited });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(({ code, signal }) => reject(new Error(`CLI exited (${code ?? signal}):\n${out}`)));
  });
}

/** Runs the CLI to its exit, for flags that never listen. */
export function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
