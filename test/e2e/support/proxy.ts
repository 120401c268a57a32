// A fault-injecting HTTP/1.1 proxy on raw TCP: it frames requests (Content-Length bodies, no pipelining,
// which is all a browser's XHR sends) so it can cut, drop, freeze or throttle exactly where a test says.
import net from 'node:net';
import { isStatus, isUpload, parseHead, type Fault, type RequestRecord } from './proxy-requests.js';

export type { Fault, RequestRecord } from './proxy-requests.js';

export interface Throttle {
  /** Request bytes per second, shared by every connection (one link). */
  bytesPerSecond: number;
  /** Stop throttling after this many request bytes; unlimited when omitted. */
  budget?: number;
}

interface Pending {
  fault: Fault;
  fired: () => void;
  /** Injection order: a fault put back goes where it was. */
  seq: number;
}

interface Conn {
  id: number;
  client: net.Socket;
  server: net.Socket;
  /** The request whose body is being read, or whose response is awaited. */
  current: RequestRecord | null;
  currentFault: Pending | null;
  awaitingStatus: boolean;
  closed: boolean;
  /** Frozen links pass nothing on, not even the client's hangup; it is remembered for the thaw. */
  frozen: boolean;
  hungUp: boolean;
}

const DEBUG = !!process.env.RU_PROXY_DEBUG;
const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FaultProxy {
  readonly requests: RequestRecord[] = [];
  private readonly queue: Pending[] = [];
  /** Matched by a request but not yet in effect (a cut whose byte has not come). */
  private readonly armed = new Set<Pending>();
  private readonly conns = new Set<Conn>();
  private readonly tcp: net.Server;
  private targetPort: number;
  private nextConn = 1;
  private linkDown = false;
  private nextSeq = 0;
  private throttleState: (Throttle & { used: number; t0: number; sent: number }) | null = null;
  port = 0;

  private constructor(targetPort: number) {
    this.targetPort = targetPort;
    this.tcp = net.createServer((client) => this.accept(client));
  }

  static async start(targetPort: number): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetPort);
    await new Promise<void>((resolve) => proxy.tcp.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.tcp.address() as net.AddressInfo).port;
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Where new connections go (a restarted server on another port). */
  retarget(port: number): void {
    this.targetPort = port;
  }

  /** Queues a fault; resolves when it has taken effect (for a cut: when its byte came). */
  inject(fault: Fault): Promise<void> {
    return new Promise((fired) => this.queue.push({ fault, fired, seq: this.nextSeq++ }));
  }

  /** Faults queued or matched that have not taken effect yet. */
  get pendingFaults(): number {
    return this.queue.length + this.armed.size;
  }

  clearFaults(): void {
    this.queue.length = 0;
    this.armed.clear();
  }

  throttle(t: Throttle | null): void {
    this.throttleState = t ? { ...t, used: 0, t0: performance.now(), sent: 0 } : null;
  }

  /** Upload body bytes that crossed the client's wire since the proxy started. */
  get wireBytes(): number {
    let n = 0;
    for (const r of this.requests) if (isUpload(r)) n += r.received;
    return n;
  }

  uploads(): RequestRecord[] {
    return this.requests.filter(isUpload);
  }

  /** Closes every open connection, as if the link went down. */
  dropAll(): void {
    for (const c of this.conns) this.destroy(c);
  }

  /** While down, every connection is dropped and every new one refused: a link that is gone. */
  setLinkDown(down: boolean): void {
    this.linkDown = down;
    if (down) this.dropAll();
  }

  async close(): Promise<void> {
    this.queue.length = 0;
    this.dropAll();
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.linkDown) return void client.destroy();
    const server = net.connect(this.targetPort, '127.0.0.1');
    const conn: Conn = {
      id: this.nextConn++,
      client,
      server,
      current: null,
      currentFault: null,
      awaitingStatus: false,
      closed: false,
      frozen: false,
      hungUp: false,
    };
    this.conns.add(conn);
    client.setNoDelay(true);
    server.setNoDelay(true);
    const close = () => this.destroy(conn);
    const hangup = () => {
      if (conn.frozen) conn.hungUp = true;
      else close();
    };
    if (DEBUG) {
      const at = () => `${Math.round(performance.now())} conn ${conn.id}`;
      client.on('error', (e) => console.error(`${at()} client error ${e.message}`));
      client.on('end', () => console.error(`${at()} client end`));
      server.on('error', (e) => console.error(`${at()} server error ${e.message}`));
      server.on('end', () => console.error(`${at()} server end`));
    }
    client.on('error', hangup).on('close', hangup);
    server.on('error', close).on('close', close);
    server.on('data', (data: Buffer) => this.fromServer(conn, data));
    void this.pump(conn);
  }

  private destroy(conn: Conn, reset = false): void {
    if (conn.closed) return;
    conn.closed = true;
    if (conn.current) conn.current.closed = true;
    this.conns.delete(conn);
    // A cut or freeze matched by a request that ended before its byte (answered early, e.g. a browser's
    // re-send refused with 409) waits for the next request that carries that byte.
    const p = conn.currentFault;
    if (p && this.armed.has(p) && ['cut', 'freeze', 'flip'].includes(p.fault.kind)) {
      this.armed.delete(p);
      const later = this.queue.findIndex((q) => q.seq > p.seq);
      this.queue.splice(later < 0 ? this.queue.length : later, 0, p);
    }
    if (reset) conn.client.resetAndDestroy();
    else conn.client.destroy();
    // Toward the server the link ends after what it passed on (writes Node still queues, then a FIN), so
    // "forwarded" means delivered: a destroy dropped queued writes, and its reset could make the server's
    // kernel drop bytes it held unread (seen as the server losing up to a chunk's tail under load).
    conn.server.end();
    setTimeout(() => conn.server.destroy(), 2000).unref();
  }

  private fromServer(conn: Conn, data: Buffer): void {
    if (conn.closed) return;
    const req = conn.current;
    if (req && conn.currentFault?.fault.kind === 'drop-response') {
      // The server has answered (so it has stored the chunk): the answer never reaches the client.
      this.fire(conn.currentFault, req);
      this.destroy(conn);
      return;
    }
    if (DEBUG)
      console.error(
        `${Math.round(performance.now())} conn ${conn.id} server data ${data.length} ${JSON.stringify(data.subarray(0, 20).toString('latin1'))}`,
      );
    if (req && conn.awaitingStatus) {
      conn.awaitingStatus = false;
      req.answered = performance.now();
      const head = data.subarray(0, MAX_HEAD).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (m) req.status = Number(m[1]);
      req.location = /\r\nlocation:[ \t]*([^\r\n]*)/i.exec(head.split('\r\n\r\n')[0])?.[1].trim() ?? null;
    }
    if (!conn.client.write(data)) {
      conn.server.pause();
      conn.client.once('drain', () => conn.server.resume());
    }
  }

  /** Reads the client's bytes in order and applies faults; one loop per connection. */
  private async pump(conn: Conn): Promise<void> {
    const chunks: Buffer[] = [];
    let wake: (() => void) | null = null;
    let ended = false;
    const { client } = conn;
    client.on('data', (d: Buffer) => {
      chunks.push(d);
      if (chunks.length > 4) client.pause();
      wake?.();
    });
    const onEnd = () => {
      ended = true;
      wake?.();
    };
    client.on('end', onEnd).on('close', onEnd);
    const next = async (): Promise<Buffer | null> => {
      while (chunks.length === 0) {
        if (ended || conn.closed) return null;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      const d = chunks.shift()!;
      if (chunks.length <= 4) client.resume();
      return d;
    };

    let buf: Buffer = Buffer.alloc(0);
    try {
      for (;;) {
        // Head.
        let end = buf.indexOf(HEAD_END);
        while (end < 0) {
          if (buf.length > MAX_HEAD) throw new Error('request head too long');
          const d = await next();
          if (!d) return;
          buf = Buffer.concat([buf, d]);
          end = buf.indexOf(HEAD_END);
        }
        const head = buf.subarray(0, end + 4);
        buf = buf.subarray(end + 4);
        const req = parseHead(conn.id, head.toString('latin1'));
        this.requests.push(req);
        if (DEBUG)
          console.error(
            `${Math.round(performance.now())} conn ${conn.id} ${req.method} ${req.path} start=${req.start} len=${req.contentLength}`,
          );
        conn.current = req;
        conn.awaitingStatus = true;
        const pending = this.match(req);
        const fault = pending?.fault;
        conn.currentFault = pending;
        req.fault = fault?.kind ?? null;

        if (fault?.kind === 'status-503') {
          const body = 'Service Unavailable (injected)\n';
          req.status = 503;
          this.fire(pending!, req);
          conn.client.end(
            `HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n` +
              `Connection: close\r\n\r\n${req.method === 'HEAD' ? '' : body}`,
          );
          conn.server.destroy();
          return;
        }
        if (fault?.kind === 'status-reset') {
          this.fire(pending!, req);
          this.destroy(conn, true);
          return;
        }
        if (!(await this.write(conn, head))) return;

        // Body.
        let remaining = req.contentLength;
        let armed = fault?.kind === 'cut' || fault?.kind === 'freeze' ? fault : null;
        let flip = fault?.kind === 'flip' ? fault.at - (req.start ?? 0) : null;
        while (remaining > 0) {
          if (buf.length === 0) {
            const d = await next();
            if (!d) return;
            buf = d;
          }
          let piece = buf.subarray(0, Math.min(remaining, buf.length));
          buf = buf.subarray(piece.length);
          remaining -= piece.length;
          req.received += piece.length;
          req.firstByte ??= performance.now();
          if (remaining === 0) req.lastByte = performance.now();
          if (flip !== null && flip < req.forwarded + piece.length) {
            piece = Buffer.from(piece);
            piece[flip - req.forwarded] ^= 0xff;
            flip = null;
            this.fire(pending!, req);
          }
          const allowed = armed ? armed.at - (req.start ?? 0) - req.forwarded : Infinity;
          if (armed && allowed < piece.length) {
            const rest = piece.subarray(Math.max(0, allowed));
            piece = piece.subarray(0, Math.max(0, allowed));
            if (piece.length && !(await this.send(conn, req, piece))) return;
            this.fire(pending!, req);
            if (armed.kind === 'cut') return this.destroy(conn);
            // Frozen: read nothing, forward nothing, pass on no hangup.
            conn.frozen = true;
            client.pause();
            if (armed.ms === undefined) return;
            await sleep(armed.ms);
            conn.frozen = false;
            if (conn.hungUp) return this.destroy(conn);
            client.resume();
            // The link carries on from the first byte it held back.
            buf = Buffer.concat([rest, buf]);
            remaining += rest.length;
            req.received -= rest.length;
            armed = null;
            continue;
          }
          if (!(await this.send(conn, req, piece))) return;
        }
      }
    } catch {
      this.destroy(conn);
    }
  }

  private fire(p: Pending, req: RequestRecord | null): void {
    if (req) req.faultAt = performance.now();
    this.armed.delete(p);
    p.fired();
  }

  /** Takes the head of the fault queue (or the first fault behind passable ones) that this request waits for. */
  private match(req: RequestRecord): Pending | null {
    for (const [i, head] of this.queue.entries()) {
      const f = head.fault;
      let hit: boolean;
      if (f.kind === 'cut' || f.kind === 'freeze' || f.kind === 'flip') {
        const start = req.start ?? 0;
        hit = isUpload(req) && f.at >= start && f.at < start + req.contentLength;
      } else if (f.kind === 'drop-response') hit = isUpload(req);
      else hit = isStatus(req);
      if (hit) {
        this.queue.splice(i, 1);
        this.armed.add(head);
        return head;
      }
      if (!('passable' in f && f.passable)) return null;
    }
    return null;
  }

  /** Forwards body bytes at the throttled rate. */
  private async send(conn: Conn, req: RequestRecord, piece: Buffer): Promise<boolean> {
    const t = this.throttleState;
    if (!t) {
      req.forwarded += piece.length;
      return this.write(conn, piece);
    }
    const slice = 8 * 1024;
    for (let i = 0; i < piece.length; i += slice) {
      const part = piece.subarray(i, i + slice);
      if (t.budget !== undefined && t.used >= t.budget) this.throttle(null);
      else {
        // An idle link does not bank its unused rate.
        if (performance.now() - (t.t0 + (t.sent / t.bytesPerSecond) * 1000) > 250) {
          t.t0 = performance.now();
          t.sent = 0;
        }
        t.used += part.length;
        t.sent += part.length;
        const wait = t.t0 + (t.sent / t.bytesPerSecond) * 1000 - performance.now();
        if (wait > 0) await sleep(wait);
      }
      if (conn.closed) return false;
      req.forwarded += part.length;
      if (!(await this.write(conn, part))) return false;
    }
    return true;
  }

  private async write(conn: Conn, data: Buffer): Promise<boolean> {
    if (conn.closed) return false;
    if (!conn.server.write(data)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          conn.server.off('drain', done);
          conn.server.off('close', done);
          resolve();
        };
        conn.server.on('drain', done).on('close', done);
      });
    }
    return !conn.closed;
  }
}
