// diagnose(): probes the configured endpoint with tiny, harmless requests and says what to fix, one
// finding at a time. Loaded on demand by Uploader.diagnose(): the bundle does not carry it.
import { UploadError } from './errors.js';
import { type Probe, type Scratch, ietfProbe, statusUploadProbe, tusProbe } from './diagnose-probes.js';
import type { UploaderOptions } from './options.js';
import { isOk, reasonOf, request } from './protocols/http.js';
import type { RequestContext } from './protocols/types.js';
import { XhrTransport } from './transport.js';

/** What each finding is about. */
export type DiagnosisId = 'reachable' | 'cors' | 'protocol' | 'body-limit' | 'streaming' | 'round-trip';

/** One thing diagnose() checked. */
export interface DiagnosisFinding {
  id: DiagnosisId;
  /** Nothing wrong was seen (also true when the check could not run: see `skipped`). */
  ok: boolean;
  /** What was seen, in one or two sentences. */
  detail: string;
  /** What to change, when something is wrong. */
  fix?: string;
  /** The check could not run here (`detail` says why); it says nothing either way. */
  skipped?: boolean;
}

/** What diagnose() found. */
export interface DiagnosisReport {
  /** Every finding is ok. */
  ok: boolean;
  /** The protocol probed (the uploader's). */
  protocol: string;
  /** The URL the tiny requests went to: status-upload's status URL, or the tus/IETF endpoint. */
  url: string;
  /** The URL is on another origin than the page, so CORS applies. */
  crossOrigin: boolean;
  findings: DiagnosisFinding[];
  /** Median time of a tiny request, in milliseconds; null when the server did not answer. */
  roundTripMs: number | null;
  /** The largest body that passed, in bytes; null when not measured. */
  largestBody: number | null;
  /** The chunk size to use: 0 (the whole file) when bodies up to `maxBody` passed; null when not measured. */
  chunkSize: number | null;
  /** The server sees a body only once it is whole (a buffering proxy); null when this could not be told. */
  buffered: boolean | null;
}

/** How hard diagnose() probes. */
export interface DiagnoseOptions {
  /**
   * The largest body tried, in bytes; the search for the largest that passes stops there.
   * @default 67108864 (64 MiB)
   */
  maxBody?: number;
  /**
   * The smallest body tried, in bytes.
   * @default 65536 (64 KiB)
   */
  minBody?: number;
  /**
   * Tiny requests timed for the round trip.
   * @default 5
   */
  samples?: number;
  /**
   * Milliseconds the streaming probe sends in pieces before it decides the server saw nothing.
   * @default 3000
   */
  streamWait?: number;
  /** Aborts every probe; diagnose() then rejects with the signal's reason. */
  signal?: AbortSignal;
}

const KiB = 1024;
const MiB = 1024 * KiB;

const size = (n: number): string =>
  n >= MiB && n % MiB === 0 ? `${n / MiB} MiB` : n >= KiB && n % KiB === 0 ? `${n / KiB} KiB` : `${n} B`;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The request headers of a protocol, for the CORS fix. */
const ALLOW: Record<string, string> = {
  'status-upload': 'X-File-Id, X-Start-Byte, X-File-Size',
  tus: 'Tus-Resumable, Upload-Length, Upload-Metadata, Upload-Offset, Content-Type',
  ietf: 'Upload-Draft-Interop-Version, Upload-Complete, Upload-Length, Upload-Offset, Content-Type',
};

/** Probes the endpoint `options` point at; see DiagnosisReport. Never rejects but for `signal`. */
export async function diagnose(
  options: UploaderOptions,
  { maxBody = 64 * MiB, minBody = 64 * KiB, samples = 5, streamWait = 3000, signal }: DiagnoseOptions = {},
): Promise<DiagnosisReport> {
  const controller = new AbortController();
  const stop = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', stop);
  const probeFile = new File([], 'diagnose');
  const ctx: RequestContext = {
    headers: async () => {
      const { headers } = options;
      return typeof headers === 'function' ? await headers(probeFile) : headers;
    },
    withCredentials: options.withCredentials,
    stallTimeout: options.stallTimeout,
    signal: controller.signal,
    transport: options.transport ?? new XhrTransport(),
  };
  const name = options.protocol.name;
  const probe =
    name === 'tus'
      ? tusProbe(ctx, options.endpoint)
      : name === 'ietf'
        ? ietfProbe(ctx, options.endpoint)
        : statusUploadProbe(ctx, options);
  const crossOrigin = new URL(probe.url).origin !== location.origin;
  const report: DiagnosisReport = {
    ok: true,
    protocol: name,
    url: probe.url,
    crossOrigin,
    findings: [],
    roundTripMs: null,
    largestBody: null,
    chunkSize: null,
    buffered: null,
  };
  const add = (finding: DiagnosisFinding) => {
    report.findings.push(finding);
    report.ok &&= finding.ok;
  };
  try {
    if (name !== 'status-upload' && name !== 'tus' && name !== 'ietf')
      add({
        id: 'protocol',
        ok: true,
        skipped: true,
        detail: `"${name}" is not a protocol diagnose() knows: probed as status-upload`,
      });
    await run(probe, ctx, report, add, { maxBody, minBody, samples, streamWait }, options.withCredentials);
  } catch (err) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw err;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  return report;
}

async function run(
  probe: Probe,
  ctx: RequestContext,
  report: DiagnosisReport,
  add: (f: DiagnosisFinding) => void,
  limits: { maxBody: number; minBody: number; samples: number; streamWait: number },
  withCredentials: boolean,
): Promise<void> {
  const { url, crossOrigin } = report;
  const origin = location.origin;
  const corsFix =
    `Allow ${origin}: on this project's server, corsOrigin: '${origin}' (CLI --cors-origin ${origin}); ` +
    `elsewhere answer Access-Control-Allow-Origin: ${origin}, allow the methods and the headers ` +
    `${ALLOW[report.protocol] ?? ALLOW['status-upload']} in preflights` +
    (probe.exposes.length ? `, and expose ${probe.exposes.join(', ')} (Access-Control-Expose-Headers)` : '');

  // reachable (and CORS, when the browser hides the answer)
  let first;
  const t0 = performance.now();
  try {
    first = await probe.ask();
  } catch (err) {
    if (!(err instanceof UploadError) || err.kind !== 'network') throw err;
    const answers = crossOrigin && (await answersWithoutCors(url, withCredentials));
    if (!answers) {
      add({
        id: 'reachable',
        ok: false,
        detail: `No answer from ${url}: the connection failed (refused, unknown host, offline, or TLS)`,
        fix: `Check the URL (${report.protocol === 'status-upload' ? 'status-url, upload-url' : 'endpoint'}) and that the server runs and is reachable from this browser`,
      });
      return;
    }
    add({
      id: 'reachable',
      ok: true,
      detail: `${url} answers, but the browser hides its answers from ${origin}`,
    });
    const simple = await answersWithoutCors(url, withCredentials, 'cors');
    add({
      id: 'cors',
      ok: false,
      detail: simple
        ? `Cross-origin: the server allows ${origin} but its preflight fails (the methods or headers of the protocol are not allowed)`
        : `Cross-origin: the server sends no Access-Control-Allow-Origin for ${origin}`,
      fix: corsFix,
    });
    return;
  }
  report.roundTripMs = Math.round(performance.now() - t0);
  add({ id: 'reachable', ok: true, detail: `${url} answered ${first.status} in ${report.roundTripMs} ms` });

  // protocol
  const spoken = probe.speaks(first);
  add({ id: 'protocol', ...spoken });
  if (!spoken.ok) {
    if (crossOrigin) add({ id: 'cors', ok: true, detail: 'Cross-origin: the preflight passes' });
    return;
  }

  // round trip: the first request paid for the connection (and a preflight); these don't
  const times: number[] = [];
  for (let i = 0; i < limits.samples; i++) {
    const t = performance.now();
    await probe.ask();
    times.push(performance.now() - t);
  }
  if (times.length) report.roundTripMs = Math.round(median(times));
  const rtt = report.roundTripMs;
  add({
    id: 'round-trip',
    ok: rtt < 1000,
    detail: `A tiny request takes ${rtt} ms (median of ${times.length || 1})`,
    ...(rtt >= 1000 && {
      fix: 'Every request costs a round trip: keep chunk-size 0 (the whole file) or large',
    }),
  });

  // CORS: exposed headers, read from a throwaway upload (body 0: a creation and a HEAD)
  let scratch: Scratch | null = null;
  try {
    if (crossOrigin && probe.exposes.length) {
      try {
        scratch = await probe.scratch(0);
        await scratch.offset();
        add({
          id: 'cors',
          ok: true,
          detail: `Cross-origin: the preflight passes, and ${probe.exposes.join(', ')} are readable`,
        });
      } catch (err) {
        const hidden = err instanceof UploadError && err.kind === 'protocol';
        add({
          id: 'cors',
          ok: !hidden,
          detail: hidden
            ? `Cross-origin: ${err.message}, which the server sends but does not expose to ${origin}`
            : `Cross-origin: the preflight passes; a throwaway upload failed: ${message(err)}`,
          ...(hidden && { fix: corsFix }),
        });
        if (hidden) return;
      }
    } else
      add({
        id: 'cors',
        ok: true,
        detail: crossOrigin
          ? 'Cross-origin: the preflight passes'
          : `Same origin as the page: no CORS needed`,
      });
  } finally {
    await scratch?.remove();
  }

  await bodyLimit(probe, ctx, report, add, limits);
  await streaming(probe, ctx, report, add, limits.streamWait);
}

/** Whether `url` answers at all when CORS is left out (no-cors: an opaque answer) or kept simple (cors). */
async function answersWithoutCors(url: string, withCredentials: boolean, mode: RequestMode = 'no-cors') {
  try {
    await fetch(url, { mode, credentials: withCredentials ? 'include' : 'omit', cache: 'no-store' });
    return true;
  } catch {
    return false;
  }
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

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
async function bodyLimit(
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

/**
 * Whether the server sees bytes while they are sent: a body sent in small pieces over `wait` ms, the
 * server asked meanwhile how much it holds. A buffering proxy passes nothing on until the body is whole.
 */
async function streaming(
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
  let closed = false;
  let sent = 0;
  let stopSending = () => {};
  try {
    scratch = await probe.scratch(Math.min(most, Math.ceil(wait / 100 + 10) * piece.length));
    const parts = scratch.append(0, null);
    const body = new ReadableStream<Uint8Array>({
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
    const answer = fetch(parts.url, {
      method: parts.method,
      headers: { ...(await ctx.headers()), ...parts.headers },
      body,
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
    closed = true;
    stopSending();
    const { res, err } = settled ?? (await answer);
    if (held > 0) {
      report.buffered = false;
      return add({
        id: 'streaming',
        ok: true,
        detail: `The server held ${size(held)} while ${size(sent)} had been sent: it sees bytes as they arrive`,
      });
    }
    if (err || (res && !res.ok)) {
      // The tiny requests before tell what the connection speaks; the refused one left no entry.
      const hop = [...performance.getEntriesByName(parts.url), ...performance.getEntriesByName(report.url)]
        .map((e) => (e as PerformanceResourceTiming).nextHopProtocol)
        .find(Boolean);
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
    closed = true;
    stopSending();
    await scratch?.remove();
  }
}
