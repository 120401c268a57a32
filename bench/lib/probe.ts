// Preloaded into every server child (`node --expose-gc --import probe.mjs ...`), without touching the
// server's code. Answers the parent's IPC pings with process.cpuUsage() and memoryUsage() (after a full
// GC when asked), and timestamps every HTTP request at the server itself: head parsed, body read to its
// end by the handler, answer sent. A listener on 'end' does not change how the body is read.
import { Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

/** [method, path, X-Start-Byte, arrived, body ended, answer finished, status]; times in ms. */
export type ServerTraceRow = [string, string, string | null, number, number | null, number | null, number];

const rows: ServerTraceRow[] = [];
const emit = Server.prototype.emit;
Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]) {
  if (event === 'request') {
    const [req, res] = args as [IncomingMessage, ServerResponse];
    const start = req.headers['x-start-byte'];
    const row: ServerTraceRow = [
      req.method ?? '?',
      (req.url ?? '/').split('?')[0],
      typeof start === 'string' ? start : null,
      performance.now(),
      null,
      null,
      0,
    ];
    rows.push(row);
    if (rows.length > 10_000) rows.splice(0, 5_000);
    req.once('end', () => (row[4] = performance.now()));
    res.once('finish', () => {
      row[5] = performance.now();
      row[6] = res.statusCode;
    });
  }
  return (emit as (this: Server, e: string | symbol, ...a: unknown[]) => boolean).call(this, event, ...args);
} as typeof Server.prototype.emit;

if (process.send) {
  process.on('message', (msg: unknown) => {
    if (msg === 'trace') return void process.send!({ trace: rows.splice(0) });
    if (msg !== 'probe' && msg !== 'gc') return;
    if (msg === 'gc') (globalThis as { gc?: () => void }).gc?.();
    process.send!({ cpu: process.cpuUsage(), mem: process.memoryUsage() });
  });
  process.channel?.unref();
}
