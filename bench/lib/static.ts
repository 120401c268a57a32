import type { IncomingMessage, ServerResponse } from 'node:http';
import { createStaticHandler } from '../../src/server/static.js';

const handlers = new Map<string, ReturnType<typeof createStaticHandler>>();

/**
 * The bench's own children (raw sink, tus) serve the bench page with the project's static handler, as the
 * project's server does. Resolves false when no folder has the path (nothing was sent).
 */
export function serveStatic(dirs: string[], req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const key = dirs.join('\0');
  let handler = handlers.get(key);
  if (!handler) handlers.set(key, (handler = createStaticHandler(dirs)));
  const serve = handler;
  return new Promise((resolve) => {
    res.once('close', () => resolve(true));
    serve(req, res, () => resolve(false));
  });
}

/** `--name value` pairs; repeated names collect into arrays. */
export function childArgs(argv: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    out.set(key, [...(out.get(key) ?? []), argv[i + 1]]);
  }
  return out;
}
