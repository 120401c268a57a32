// A real (non-service-worker) upload sink inside the test server, so XHR upload progress fires.
// Speaks the status/upload protocol under /__sink/; state is per test run, in memory.
import { createHash } from 'node:crypto';

const files = new Map();

function readBody(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

async function sink(ctx, next) {
  if (!ctx.path.startsWith('/__sink/')) return next();
  const id = ctx.get('x-file-id');
  const stored = files.get(id) ?? Buffer.alloc(0);
  ctx.set('Cache-Control', 'no-store');
  if (ctx.path === '/__sink/reset') {
    files.clear();
    ctx.body = 'ok';
  } else if (ctx.path === '/__sink/status') {
    ctx.body = String(stored.length);
  } else if (ctx.path === '/__sink/sha256') {
    ctx.body = createHash('sha256').update(stored).digest('hex');
  } else if (ctx.path === '/__sink/upload' && ctx.method === 'POST') {
    const start = Number(ctx.get('x-start-byte'));
    const body = await readBody(ctx.req);
    if (start !== stored.length) {
      ctx.status = 409;
      ctx.body = String(stored.length);
      return;
    }
    const next = Buffer.concat([stored, body]);
    files.set(id, next);
    ctx.body = String(next.length);
  } else {
    ctx.status = 404;
  }
}

export const testHandlers = [sink];
