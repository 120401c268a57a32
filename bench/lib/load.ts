// Requests the bench sends itself, without a browser: bodies straight from a file (for server CPU per byte
// and to put half a file on a server before a resume), and many small status requests at once.
import { createReadStream } from 'node:fs';
import { Agent, request } from 'node:http';

export interface Answer {
  status: number;
  body: string;
}

/** One request; the body is bytes [start, end) of `path` when given. */
export function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: { path: string; start: number; end: number },
  agent?: Agent,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const length = body ? body.end - body.start : 0;
    const req = request(
      url,
      { method, agent, headers: { ...headers, ...(body && { 'Content-Length': String(length) }) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (!body || length === 0) return void req.end();
    // 1 MiB reads, as a client sending from disk would.
    createReadStream(body.path, { start: body.start, end: body.end - 1, highWaterMark: 1 << 20 })
      .on('error', reject)
      .pipe(req);
  });
}

export interface StatusLoad {
  requests: number;
  seconds: number;
  perSecond: number;
  errors: number;
  /** Connections the clients opened (a status answered with Connection: close costs one each). */
  connections: number;
}

/** `clients` keep-alive clients, each asking `url` again as soon as it is answered, for `seconds`. */
export async function statusLoad(
  url: string,
  headers: (i: number) => Record<string, string>,
  clients: number,
  seconds: number,
): Promise<StatusLoad> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  let connections = 0;
  const createConnection = agent.createConnection.bind(agent);
  agent.createConnection = ((...a: Parameters<typeof createConnection>) => {
    connections++;
    return createConnection(...a);
  }) as typeof agent.createConnection;
  let requests = 0;
  let errors = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      while (performance.now() < until) {
        const a = await send(url, 'GET', headers(i), undefined, agent).catch(() => null);
        if (a?.status === 200) requests++;
        else errors++;
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  agent.destroy();
  return { requests, seconds: s, perSecond: requests / s, errors, connections };
}
