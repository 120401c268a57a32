// @tus/server with @tus/file-store in a child process (tus-server-process-main.ts), as a ServerProcess: SIGKILL
// and restart on the same port and folder. @tus/file-store keeps each upload as `<dir>/<id>`, grown in
// place, with its record in `<dir>/<id>.json`; the id is the last segment of the upload URL.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATIC, childServer, uploadId, type ServerProcess } from './server.js';

/** What @tus/file-store records about an upload (its `<id>.json`). */
export interface TusRecord {
  id: string;
  size: number;
  metadata?: Record<string, string | null>;
}

export interface TusServerProcess extends ServerProcess {
  record(uploadUrl: string): TusRecord;
}

export async function startTusServerProcess(dir: string, port = 0): Promise<TusServerProcess> {
  const child = await childServer(
    (p) => [
      ...['--import', 'tsx', 'test/e2e/support/tus-server-process-main.ts'],
      ...['--port', String(p), '--host', '127.0.0.1', '--dir', dir],
      ...STATIC.flatMap((d) => ['--static', d]),
    ],
    port,
  );
  return {
    ...child,
    dir,
    storedPath: () => {
      throw new Error('@tus/server names files by the upload id: use uploadPath(uploadUrl)');
    },
    uploadPath: (uploadUrl) => join(dir, uploadId(uploadUrl)),
    losesBufferedBytes: true,
    provokesResends: true,
    record: (uploadUrl) =>
      JSON.parse(readFileSync(join(dir, `${uploadId(uploadUrl)}.json`), 'utf8')) as TusRecord,
  };
}
