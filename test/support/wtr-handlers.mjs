// A real (non-service-worker) upload sink inside the test server, so XHR upload progress fires.
// Speaks the status/upload protocol under /__sink/; state is per test run, in memory.
// Scripted answers for element tests: `?fail=503` answers that status with a one-line reason
// (`&reason=...` to choose it); `/__sink/upload?hold` stores the body, then answers only after
// `/__sink/release` (or `/__sink/reset`), so a test can look at an upload caught mid-way.
import { createHash } from 'node:crypto';

const files = new Map();
/** Resolvers of the held upload answers. */
const held = new Set();

function releaseHeld() {
  for (const release of held) release();
  held.clear();
}

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
  const fail = Number(ctx.query.fail);
  if (ctx.path === '/__sink/reset') {
    files.clear();
    releaseHeld();
    ctx.body = 'ok';
  } else if (ctx.path === '/__sink/release') {
    releaseHeld();
    ctx.body = 'ok';
  } else if (fail >= 400) {
    if (ctx.method === 'POST') await readBody(ctx.req);
    ctx.status = fail;
    ctx.body = ctx.query.reason || `Scripted failure ${fail}`;
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
    if ('hold' in ctx.query) await new Promise((resolve) => held.add(resolve));
    ctx.body = String(next.length);
  } else {
    ctx.status = 404;
  }
}

export const testHandlers = [sink];
