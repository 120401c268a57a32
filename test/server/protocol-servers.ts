// Starts the upload server behind either adapter, so one protocol suite runs against node:http and Fetch.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { after } from 'node:test';
import { createFetchUploadHandler, createUploadHandler } from '../../src/server/index.js';
import type { UploadServerOptions } from '../../src/server/index.js';
import { serveFetch } from './fetch-adapter.js';
import type { Reply } from './helpers.js';
import { start, tempDir } from './helpers.js';

export type HandlerKind = 'node' | 'fetch';
export const KINDS: readonly HandlerKind[] = ['node', 'fetch'];

export interface ProtocolServerOptions extends Omit<UploadServerOptions, 'authorize' | 'static'> {
  /** Where the app mounts the handler (`app.use(mount, handler)`, or the Fetch handler's basePath). */
  mount?: string;
  /** Names the owner from the request's headers, whichever runtime carried it. */
  owner?: (header: (name: string) => string | undefined) => string | null;
}

export interface ProtocolServer {
  /** `http://127.0.0.1:port`: Location headers are paths below it. */
  origin: string;
  /** The creation endpoint, e.g. `http://127.0.0.1:port/api/files/`. */
  files: string;
  /** The mount point as a URL: `/status` and `/upload` are below it. */
  url: string;
  dir: string;
}

/** Starts the real server (node) or the Fetch handler behind a node:http adapter (fetch). */
export async function startWith(
  kind: HandlerKind,
  options: ProtocolServerOptions = {},
): Promise<ProtocolServer> {
  const { mount = '', owner, ...rest } = options;
  const dir = rest.dir ?? (await tempDir());
  let origin: string;
  if (kind === 'fetch') {
    const handler = createFetchUploadHandler({
      ...rest,
      dir,
      basePath: mount,
      ...(owner
        ? { authorize: (request: Request) => owner((n) => request.headers.get(n) ?? undefined) }
        : {}),
    });
    after(() => handler.close());
    await handler.ready;
    origin = await serveFetch(handler);
  } else {
    const authorize = owner
      ? (req: IncomingMessage) => owner((n) => req.headers[n] as string | undefined)
      : undefined;
    origin = mount
      ? await expressLike(mount, { ...rest, dir, authorize })
      : (await start({ ...rest, dir, authorize })).url;
  }
  return { origin, url: `${origin}${mount}`, files: `${origin}${mount}/files/`, dir };
}

/** `app.use(mount, handler)` as Express does it: the mount path leaves req.url and stays in originalUrl. */
async function expressLike(mount: string, options: UploadServerOptions): Promise<string> {
  const handler = createUploadHandler(options);
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (!url.startsWith(`${mount}/`)) return void res.writeHead(418).end();
    Object.assign(req, { originalUrl: url, url: url.slice(mount.length) });
    handler(req, res, () => res.writeHead(404).end('from next'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await handler.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The store key of a tus/IETF upload: sha256('files' NUL owner NUL id). */
export const filesKeyOf = (id: string, owner = 'anonymous'): string =>
  createHash('sha256').update(`files\0${owner}\0${id}`, 'utf8').digest('hex');

/** Headers without the ones set to undefined (node:http refuses those), so a table can leave one out. */
export const defined = (headers: OutgoingHttpHeaders): OutgoingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined));

/** Makes an incomplete upload look last written an hour ago: expired now, without waiting for it. */
export async function ageUpload(dir: string, id: string): Promise<void> {
  const old = new Date(Date.now() - 3_600_000);
  const partial = join(dir, 'partial', filesKeyOf(id));
  for (const path of [partial, `${partial}.json`]) await utimes(path, old, old).catch(() => undefined);
}

/** The upload id: the last segment of a Location. */
export const idOf = (location: string | undefined): string => {
  if (!location) throw new Error('no Location');
  return location.slice(location.lastIndexOf('/') + 1);
};

/**
 * A 4xx with a one-line reason: what every bad input must get (never a 5xx, never a silent 2xx).
 * HEAD answers have no body to carry the reason.
 */
export function assertClientError(reply: Reply, status: number, what: string, head = false): void {
  if (reply.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${reply.status}: ${reply.text}`);
  }
  if (head) return;
  if (reply.text.trim() === '' || reply.text.trim().includes('\n')) {
    throw new Error(`${what}: expected a one-line reason, got ${JSON.stringify(reply.text)}`);
  }
}
