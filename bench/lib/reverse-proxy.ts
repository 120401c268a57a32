// A plain Node reverse proxy, as a child process: node:http in, node:http out over keep-alive connections,
// bodies piped both ways, as a small deployment puts one in front of an upload server. With `--delay MS` a
// TCP shim in front of it holds every chunk MS ms in each direction (and a new connection's first bytes
// 2 x MS longer, its handshake), so a round trip costs 2 x MS. It timestamps each request (epoch ms: head
// in, first body byte in, answer head out) and hands the log over IPC on 'proxy-log'.
import { Agent, createServer, request, type IncomingMessage } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { childArgs } from './static.js';

/** [method, path, head arrived, first body byte, answer head sent, status]; epoch ms. */
export type ProxyLogRow = [string, string, number, number | null, number | null, number];

const args = childArgs(process.argv.slice(2));
const upstream = new URL(args.get('upstream')![0]);
const delayMs = Number(args.get('delay')?.[0] ?? 0);
// Wall-clock ms, as the page stamps its pick: two processes agree on Date.now(), not on their performance clocks.
const now = () => Date.now();
const log: ProxyLogRow[] = [];
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

const server = createServer((req, res) => {
  const row: ProxyLogRow = [req.method ?? '?', (req.url ?? '/').split('?')[0], now(), null, null, 0];
  log.push(row);
  if (log.length > 10_000) log.splice(0, 5_000);
  req.once('data', () => (row[3] ??= now()));
  const out = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: upstream.host, 'x-forwarded-for': req.socket.remoteAddress ?? '' },
      agent,
    },
    (answer: IncomingMessage) => {
      row[4] = now();
      row[5] = answer.statusCode ?? 0;
      // Hop-by-hop: the upstream's Connection: close is about its connection to us, not the client's.
      const { connection: _c, 'keep-alive': _k, ...headers } = answer.headers;
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    },
  );
  out.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end('Bad gateway')));
  // The client went away mid-body: the upstream request goes too, as in nginx's default.
  req.on('aborted', () => out.destroy());
  res.on('close', () => !res.writableFinished && out.destroy());
  req.pipe(out);
});

/**
 * Forwards `from` to `to`, each chunk `delay` ms later (the first after `first` ms). One timer at a time over
 * a queue: timers of different lengths set in one turn may fire out of order, and bytes must not.
 */
function delayed(from: Socket, to: Socket, delay: number, first: number): void {
  const queue: Array<{ at: number; chunk: Buffer | null }> = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let opened = now() + first;
  const flush = (): void => {
    timer = null;
    while (queue.length && queue[0].at <= now()) {
      const { chunk } = queue.shift()!;
      if (to.destroyed) return;
      if (chunk) to.write(chunk);
      else to.end();
    }
    if (queue.length) timer = setTimeout(flush, queue[0].at - now());
  };
  const push = (chunk: Buffer | null): void => {
    queue.push({ at: Math.max(now() + delay, opened), chunk });
    opened = 0;
    timer ??= setTimeout(flush, queue[0].at - now());
  };
  from.on('data', (chunk: Buffer) => push(chunk));
  from.on('end', () => push(null));
  // A reset or a close ends the other side too, once what came before it is through.
  from.on('close', () => push(null));
  from.on('error', () => undefined);
}

await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
let port = (server.address() as AddressInfo).port;
if (delayMs > 0) {
  const inner = port;
  const shim = createTcpServer((client) => {
    const up = connect(inner, '127.0.0.1');
    // The client's first bytes leave after its handshake (one round trip) and then take one way.
    delayed(client, up, delayMs, 3 * delayMs);
    delayed(up, client, delayMs, 0);
  });
  await new Promise<void>((r) => shim.listen(0, '127.0.0.1', r));
  port = (shim.address() as AddressInfo).port;
}
console.log(`reverse-proxy listening on http://127.0.0.1:${port}`);

process.on('message', (msg: unknown) => {
  if (msg === 'proxy-log') process.send?.({ proxyLog: log.splice(0) });
});
