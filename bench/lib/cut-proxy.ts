// A tiny HTTP proxy in front of the server that timestamps every request at the server's door
// (head, first and last body byte, answer) and, when armed, cuts one upload mid-body.
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface ProxiedRequest {
  method: string;
  path: string;
  startByte: string | null;
  /** performance.now() of the proxy: request head arrived, first and last body byte, answer head, answer sent. */
  arrived: number;
  firstByte: number | null;
  lastByte: number | null;
  answered: number | null;
  finished: number | null;
  status: number | null;
  cut: boolean;
}

export class CutProxy {
  readonly log: ProxiedRequest[] = [];
  cutAt: number | null = null;
  private armed: number | null = null;
  private readonly agent = new Agent({ keepAlive: true });

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(upstream: string): Promise<CutProxy> {
    const target = new URL(upstream);
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const proxy = new CutProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => {
      const entry: ProxiedRequest = {
        method: req.method ?? '?',
        path: req.url ?? '/',
        startByte: (req.headers['x-start-byte'] as string | undefined) ?? null,
        arrived: performance.now(),
        firstByte: null,
        lastByte: null,
        answered: null,
        finished: null,
        status: null,
        cut: false,
      };
      proxy.log.push(entry);
      const up = request({
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: proxy.agent,
      });
      up.on('response', (ur) => {
        entry.answered = performance.now();
        entry.status = ur.statusCode ?? 0;
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      });
      up.on('error', () => res.destroy());
      res.on('finish', () => (entry.finished = performance.now()));
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        entry.firstByte ??= performance.now();
        seen += chunk.length;
        if (proxy.armed !== null && entry.method === 'POST' && seen >= proxy.armed) {
          proxy.armed = null;
          proxy.cutAt = performance.now();
          entry.cut = true;
          // Both sides see a dropped connection, as when a network path dies.
          req.socket.destroy();
          up.destroy();
          return;
        }
        if (!up.write(chunk)) {
          req.pause();
          up.once('drain', () => req.resume());
        }
      });
      req.on('end', () => {
        entry.lastByte = performance.now();
        up.end();
      });
    });
    return proxy;
  }

  /** Clears the log; with `bytes`, cuts the next POST once that much of its body has passed. */
  arm(bytes: number | null): void {
    this.armed = bytes;
    this.cutAt = null;
    this.log.length = 0;
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
