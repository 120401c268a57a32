// A tiny TCP proxy in front of the server: it forwards bytes untouched (so early answers, resets and
// half-closes reach the browser as they would over a network), reads the HTTP/1.1 framing on the side
// to timestamp every request at the server's door (head, first and last body byte, answer), and, when
// armed, cuts one upload mid-body by destroying both sockets.
import { connect, createServer, type Server, type Socket } from 'node:net';
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

const HEAD_END = Buffer.from('\r\n\r\n');

/** Reads HTTP/1.1 messages (Content-Length bodies only, as XHR sends them) off a byte stream. */
class Framer {
  private head = Buffer.alloc(0);
  private body = 0;

  constructor(
    private readonly onHead: (head: string) => number,
    private readonly onBody: (n: number, done: boolean) => void,
  ) {}

  feed(chunk: Buffer): void {
    let data = chunk;
    while (data.length > 0) {
      if (this.body > 0) {
        const n = Math.min(this.body, data.length);
        this.body -= n;
        this.onBody(n, this.body === 0);
        data = data.subarray(n);
        continue;
      }
      this.head = Buffer.concat([this.head, data]);
      const end = this.head.indexOf(HEAD_END);
      if (end === -1) return;
      data = this.head.subarray(end + HEAD_END.length);
      this.body = this.onHead(this.head.subarray(0, end).toString('latin1'));
      this.head = Buffer.alloc(0);
      if (this.body === 0) this.onBody(0, true);
    }
  }
}

const header = (head: string, name: string): string | null =>
  new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? null;

export class CutProxy {
  readonly log: ProxiedRequest[] = [];
  cutAt: number | null = null;
  private armed: number | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(upstream: string): Promise<CutProxy> {
    const target = new URL(upstream);
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const proxy = new CutProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connection', (client) => proxy.pipe(client, connect(Number(target.port), target.hostname)));
    return proxy;
  }

  private pipe(client: Socket, upstream: Socket): void {
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    const pending: ProxiedRequest[] = [];
    let current: ProxiedRequest | null = null;
    let seen = 0;
    let cut = false;
    const requests = new Framer(
      (head) => {
        const [method = '?', path = '/'] = head.split(' ', 2);
        current = {
          method,
          path,
          startByte: header(head, 'x-start-byte'),
          arrived: performance.now(),
          firstByte: null,
          lastByte: null,
          answered: null,
          finished: null,
          status: null,
          cut: false,
        };
        seen = 0;
        this.log.push(current);
        pending.push(current);
        return Number(header(head, 'content-length') ?? 0);
      },
      (n, done) => {
        if (!current) return;
        const now = performance.now();
        if (n > 0) current.firstByte ??= now;
        seen += n;
        if (done) current.lastByte = now;
        if (this.armed !== null && current.method === 'POST' && seen >= this.armed) {
          this.armed = null;
          this.cutAt = now;
          current.cut = true;
          cut = true;
        }
      },
    );
    const answers = new Framer(
      (head) => {
        const entry = pending[0];
        if (entry) {
          entry.answered = performance.now();
          entry.status = Number(head.split(' ', 3)[1]);
        }
        return Number(header(head, 'content-length') ?? 0);
      },
      (_n, done) => {
        if (done) {
          const entry = pending.shift();
          if (entry) entry.finished = performance.now();
        }
      },
    );
    client.on('data', (chunk: Buffer) => {
      requests.feed(chunk);
      // The path dies: both sides get a reset, as from a middlebox that gave up on the connection.
      if (cut) {
        client.resetAndDestroy();
        upstream.resetAndDestroy();
        return;
      }
      if (upstream.destroyed) return;
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      answers.feed(chunk);
      if (client.destroyed) return;
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
    // Half-closes and resets pass through as they come.
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', (hadError) => (hadError ? upstream.resetAndDestroy() : upstream.end()));
    upstream.on('close', (hadError) => {
      // A server that closes while a body still comes in makes its kernel reset the sender; the
      // answer it wrote first still goes out ahead of the reset.
      const midBody = current !== null && current.firstByte !== null && current.lastByte === null;
      if (hadError || midBody) client.write(Buffer.alloc(0), () => client.resetAndDestroy());
      else client.end();
    });
  }

  /** Clears the log; with `bytes`, cuts the next POST once that much of its body has passed. */
  arm(bytes: number | null): void {
    this.armed = bytes;
    this.cutAt = null;
    this.log.length = 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
