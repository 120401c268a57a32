import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SAFE_HEADERS, sendText } from './http/reply.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

type Next = () => void;

/**
 * Serves files from `dirs`, the first folder holding the path winning. `/` and `dir/` serve index.html.
 * Anything that could leave a folder (`..`, encoded or not, backslashes, NUL) and dotfiles fall through
 * to `next` as if absent.
 */
export function createStaticHandler(
  dirs: readonly string[],
): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const roots = dirs.map((dir) => resolve(dir));
  return (req, res, next) => {
    const relative = safeRelativePath(req.url);
    if (relative === undefined || roots.length === 0) return next();
    find(roots, relative)
      .then((file) => {
        if (!file) return next();
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          return sendText(res, 405, `Method ${req.method} is not allowed here`, { Allow: 'GET, HEAD' });
        }
        return send(req, res, file.path, file.size, file.mtime);
      })
      .catch(() => {
        if (!res.headersSent) sendText(res, 500, 'Internal server error');
        else res.destroy();
      });
  };
}

/** The request path as a relative, slash-separated path, or undefined when it is not a safe one. */
export function safeRelativePath(url: string | undefined): string | undefined {
  if (!url?.startsWith('/')) return undefined;
  const path = url.split(/[?#]/, 1)[0];
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.includes('\\') || decoded.includes('\0')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s.startsWith('.'))) return undefined; // '..', '.', and dotfiles
  if (decoded.endsWith('/')) segments.push('index.html');
  return segments.join('/');
}

async function find(
  roots: readonly string[],
  relative: string,
): Promise<{ path: string; size: number; mtime: Date } | undefined> {
  for (const root of roots) {
    let path = join(root, relative);
    let info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) {
      path = join(path, 'index.html');
      info = await stat(path).catch(() => undefined);
    }
    if (!info?.isFile()) continue;
    // A symlink inside the folder must not lead outside it.
    const [real, realRoot] = await Promise.all([realpath(path), realpath(root)]);
    if (!real.startsWith(realRoot + sep)) continue;
    return { path: real, size: info.size, mtime: info.mtime };
  }
  return undefined;
}

async function send(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  size: number,
  mtime: Date,
): Promise<void> {
  res.writeHead(200, {
    ...SAFE_HEADERS,
    'Cache-Control': 'no-cache',
    'Content-Type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': size,
    'Last-Modified': mtime.toUTCString(),
  });
  if (req.method === 'HEAD') return void res.end();
  await pipeline(createReadStream(path), res);
}
