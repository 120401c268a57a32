// diagnose()'s body probes: the largest body that passes (a bound, then a binary search), and whether the
// server sees a body's bytes as they arrive or only once it is whole (a buffering proxy).
import { UploadError } from './errors.js';
import type { Probe, Scratch } from './diagnose-probes.js';
import { type DiagnosisFinding, type DiagnosisReport, KiB, message, size } from './diagnose-report.js';
import { isOk, reasonOf, request, type RequestParts } from './protocols/http.js';
import type { RequestContext } from './protocols/types.js';

/** Sends one body of `n` zero bytes to a throwaway upload; null when it passed, else why not. */
async function tryBody(probe: Probe, ctx: RequestContext, n: number): Promise<UploadError | null> {
  let scratch: Scratch | null = null;
  try {
    scratch = await probe.scratch(n);
    const res = await request(ctx, scratch.append(0, new Blob([new Uint8Array(n)])));
    if (isOk(res)) return null;
    return new UploadError('http', `A ${size(n)} body got ${res.status}: ${reasonOf(res)}`, {
      response: res,
    });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return err instanceof UploadError
      ? new UploadError(err.kind, `A ${size(n)} body: ${err.message}`, {
          response: err.response ?? undefined,
        })
      : new UploadError('client', message(err));
  } finally {
    await scratch?.remove();
  }
}

/** The largest body that passes: the bound first (most servers take it), then a binary search below it. */
export async function bodyLimit(
  probe: Probe,
  ctx: RequestContext,
  report: DiagnosisReport,
  add: (f: DiagnosisFinding) => void,
  { minBody, maxBody }: { minBody: number; maxBody: number },
): Promise<void> {
  const sizes: number[] = [];
  for (let n = minBody; n < maxBody; n *= 2) sizes.push(n);
  sizes.push(maxBody);
  const left = probe.leavesData
    ? ' (status-upload cannot delete: the probe\'s bytes stay under "resumable-upload-diagnose-…" ids until the server\'s expiry)'
    : ' (each on a throwaway upload, deleted after)';
  const top = await tryBody(probe, ctx, maxBody);
  if (!top) {
    report.largestBody = maxBody;
    report.chunkSize = 0;
    add({
      id: 'body-limit',
      ok: true,
      detail: `A ${size(maxBody)} body passes${left}: chunk-size 0 (the whole file per request) works up to there`,
    });
    return;
  }
  // sizes[lo] passed (-1: none yet), sizes[hi] failed.
  let lo = -1;
  let hi = sizes.length - 1;
  let refusal = top;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const failed = await tryBody(probe, ctx, sizes[mid]);
    if (failed) {
      hi = mid;
      refusal = failed;
    } else lo = mid;
  }
  if (lo < 0) {
    add({
      id: 'body-limit',
      ok: false,
      detail: `Even a ${size(minBody)} body does not pass. ${refusal.message}`,
      fix: 'Find what refuses small uploads (the reason above); a proxy limit this low is unusual',
    });
    return;
  }
  const largest = sizes[lo];
  report.largestBody = largest;
  report.chunkSize = largest;
  add({
    id: 'body-limit',
    ok: false,
    detail: `The largest body that passes is ${size(largest)}${left}. ${refusal.message}`,
    fix:
      `Use chunk-size="${largest}" (chunkSize: ${largest}) or less, so each request stays under the limit, ` +
      'or raise the limit of the proxy in front of the server (nginx: client_max_body_size)',
  });
}

/** A request body that can be sent in pieces (fetch with a ReadableStream), where the browser has one. */
function streamsBodies(): boolean {
  try {
    let duplex = false;
    const req = new Request('https://x.invalid/', {
      method: 'POST',
      body: new ReadableStream(),
      get duplex() {
        duplex = true;
        return 'half';
      },
    } as RequestInit);
    return duplex && !req.headers.has('Content-Type');
  } catch {
    return false;
  }
}

/** A request body of `piece` repeated, the first at once and one every 100 ms, up to `most` bytes or stop(). */
function trickle(piece: Uint8Array, most: number) {
  let closed = false;
  let sent = 0;
  let stopSending = () => {};
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (closed || sent + piece.length > most) return controller.close();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sent ? 100 : 0);
        stopSending = () => (clearTimeout(timer), resolve());
      });
      if (closed) return controller.close();
      sent += piece.length;
      controller.enqueue(piece);
    },
  });
  const stop = () => {
    closed = true;
    stopSending();
  };
  return { stream, sent: () => sent, stop };
}
type Trickle = ReturnType<typeof trickle>;

/**
 * Sends the trickle as the append `parts` with fetch, asking the server every 250 ms, for `wait` ms, how
 * much it holds; stops sending once it holds some, the request settled, or the time is up.
 */
async function sendWatched(
  scratch: Scratch,
  parts: RequestParts,
  pieces: Trickle,
  ctx: RequestContext,
  wait: number,
) {
  const answer = fetch(parts.url, {
    method: parts.method,
    headers: { ...(await ctx.headers()), ...parts.headers },
    body: pieces.stream,
    duplex: 'half',
    credentials: ctx.withCredentials ? 'include' : 'same-origin',
    signal: ctx.signal,
  } as RequestInit).then(
    (res) => ({ res, err: null }),
    (err: unknown) => ({ res: null, err }),
  );
  const deadline = performance.now() + wait;
  let held = 0;
  let settled: Awaited<typeof answer> | null = null;
  void answer.then((a) => (settled = a));
  while (performance.now() < deadline && held === 0 && !settled) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (!settled) held = await scratch.offset();
  }
  pieces.stop();
  return { held, ...(settled ?? (await answer)) };
}

/** The protocol the connection to `urls` spoke (h2, http/1.1), from the tiny requests' timings. */
const nextHop = (...urls: string[]): string | undefined =>
  urls
    .flatMap((url) => performance.getEntriesByName(url))
    .map((e) => (e as PerformanceResourceTiming).nextHopProtocol)
    .find(Boolean);

/**
 * Whether the server sees bytes while they are sent: a body sent in small pieces over `wait` ms, the
 * server asked meanwhile how much it holds. A buffering proxy passes nothing on until the body is whole.
 */
export async function streaming(
  probe: Probe,
  ctx: RequestContext,
  report: DiagnosisReport,
  add: (f: DiagnosisFinding) => void,
  wait: number,
): Promise<void> {
  const skip = (why: string) =>
    add({
      id: 'streaming',
      ok: true,
      skipped: true,
      detail: `Not checked: ${why}. Uploads work either way; behind a buffering proxy progress shows bytes sent, not stored`,
    });
  if (!streamsBodies()) return skip('this browser cannot send a request body in pieces');
  const piece = new Uint8Array(16 * KiB);
  const most = report.largestBody === null ? Infinity : Math.max(piece.length, report.largestBody);
  let scratch: Scratch | null = null;
  let pieces: Trickle | null = null;
  try {
    scratch = await probe.scratch(Math.min(most, Math.ceil(wait / 100 + 10) * piece.length));
    const parts = scratch.append(0, null);
    pieces = trickle(piece, most);
    const { held, res, err } = await sendWatched(scratch, parts, pieces, ctx, wait);
    if (held > 0) {
      report.buffered = false;
      return add({
        id: 'streaming',
        ok: true,
        detail: `The server held ${size(held)} while ${size(pieces.sent())} had been sent: it sees bytes as they arrive`,
      });
    }
    if (err || (res && !res.ok)) {
      // The tiny requests before tell what the connection speaks; the refused one left no entry.
      const hop = nextHop(parts.url, report.url);
      return skip(
        err
          ? `the browser refused to send a body in pieces to ${parts.url}${hop ? ` (${hop})` : ''}; Chromium does so only over HTTP/2 or later`
          : `a body sent in pieces got ${res!.status}`,
      );
    }
    report.buffered = true;
    add({
      id: 'streaming',
      ok: false,
      detail: `After ${wait} ms of a body sent in pieces the server held none of it: something in between (a proxy) buffers request bodies`,
      fix:
        'Turn request buffering off for the upload routes (nginx: proxy_request_buffering off;), ' +
        "or uploads show bytes sent rather than stored, a cut loses the whole request, and large bodies fill the proxy's disk",
    });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    skip(`the throwaway upload failed: ${message(err)}`);
  } finally {
    pieces?.stop();
    await scratch?.remove();
  }
}
