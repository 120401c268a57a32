// diagnose(): probes the configured endpoint with tiny, harmless requests and says what to fix, one
// finding at a time. Loaded on demand by Uploader.diagnose(): the bundle does not carry it.
import { UploadError } from './errors.js';
import { bodyLimit, streaming } from './diagnose-body.js';
import { type Probe, type Scratch, ietfProbe, statusUploadProbe, tusProbe } from './diagnose-probes.js';
import {
  type DiagnoseOptions,
  type DiagnosisFinding,
  type DiagnosisReport,
  KiB,
  MiB,
  median,
  message,
} from './diagnose-report.js';
import type { UploaderOptions } from './options.js';
import type { RequestContext } from './protocols/types.js';
import { XhrTransport } from './transport.js';
import type { TransportResponse } from './wire.js';

export type { DiagnoseOptions, DiagnosisFinding, DiagnosisId, DiagnosisReport } from './diagnose-report.js';

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

/** The probes in order; a finding that makes the later ones pointless (or impossible) ends the run. */
async function run(
  probe: Probe,
  ctx: RequestContext,
  report: DiagnosisReport,
  add: (f: DiagnosisFinding) => void,
  limits: { maxBody: number; minBody: number; samples: number; streamWait: number },
  withCredentials: boolean,
): Promise<void> {
  const fix = corsFix(probe, report.protocol);
  const first = await reachable(probe, report, add, fix, withCredentials);
  if (!first) return;
  const spoken = probe.speaks(first);
  add({ id: 'protocol', ...spoken });
  if (!spoken.ok) {
    if (report.crossOrigin) add({ id: 'cors', ok: true, detail: 'Cross-origin: the preflight passes' });
    return;
  }
  await roundTrip(probe, report, add, limits.samples);
  if (!(await exposed(probe, report, add, fix))) return;
  await bodyLimit(probe, ctx, report, add, limits);
  await streaming(probe, ctx, report, add, limits.streamWait);
}

/** What to answer cross-origin requests with, for this protocol. */
function corsFix(probe: Probe, protocol: string): string {
  const origin = location.origin;
  return (
    `Allow ${origin}: on this project's server, corsOrigin: '${origin}' (CLI --cors-origin ${origin}); ` +
    `elsewhere answer Access-Control-Allow-Origin: ${origin}, allow the methods and the headers ` +
    `${ALLOW[protocol] ?? ALLOW['status-upload']} in preflights` +
    (probe.exposes.length ? `, and expose ${probe.exposes.join(', ')} (Access-Control-Expose-Headers)` : '')
  );
}

/**
 * reachable: the first answer and its time. Without one, whether the server answers with CORS left out
 * (cors: its answers are hidden from this page); null then, as nothing more can be probed.
 */
async function reachable(
  probe: Probe,
  report: DiagnosisReport,
  add: (f: DiagnosisFinding) => void,
  fix: string,
  withCredentials: boolean,
): Promise<TransportResponse | null> {
  const { url, crossOrigin } = report;
  const origin = location.origin;
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
      return null;
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
      fix,
    });
    return null;
  }
  report.roundTripMs = Math.round(performance.now() - t0);
  add({ id: 'reachable', ok: true, detail: `${url} answered ${first.status} in ${report.roundTripMs} ms` });
  return first;
}

/** round trip: the first request paid for the connection (and a preflight); these don't. */
async function roundTrip(
  probe: Probe,
  report: DiagnosisReport,
  add: (f: DiagnosisFinding) => void,
  samples: number,
): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await probe.ask();
    times.push(performance.now() - t);
  }
  if (times.length) report.roundTripMs = Math.round(median(times));
  // reachable() set it from the first answer.
  const rtt = report.roundTripMs!;
  add({
    id: 'round-trip',
    ok: rtt < 1000,
    detail: `A tiny request takes ${rtt} ms (median of ${times.length || 1})`,
    ...(rtt >= 1000 && {
      fix: 'Every request costs a round trip: keep chunk-size 0 (the whole file) or large',
    }),
  });
}

/**
 * CORS: the headers the protocol reads are exposed, seen on a throwaway upload (body 0: a creation and a
 * HEAD). False when they are hidden, as the body probes could not read their answers.
 */
async function exposed(
  probe: Probe,
  report: DiagnosisReport,
  add: (f: DiagnosisFinding) => void,
  fix: string,
): Promise<boolean> {
  const origin = location.origin;
  if (!report.crossOrigin || !probe.exposes.length) {
    add({
      id: 'cors',
      ok: true,
      detail: report.crossOrigin
        ? 'Cross-origin: the preflight passes'
        : `Same origin as the page: no CORS needed`,
    });
    return true;
  }
  let scratch: Scratch | null = null;
  try {
    scratch = await probe.scratch(0);
    await scratch.offset();
    add({
      id: 'cors',
      ok: true,
      detail: `Cross-origin: the preflight passes, and ${probe.exposes.join(', ')} are readable`,
    });
    return true;
  } catch (err) {
    const hidden = err instanceof UploadError && err.kind === 'protocol';
    add({
      id: 'cors',
      ok: !hidden,
      detail: hidden
        ? `Cross-origin: ${err.message}, which the server sends but does not expose to ${origin}`
        : `Cross-origin: the preflight passes; a throwaway upload failed: ${message(err)}`,
      ...(hidden && { fix }),
    });
    return !hidden;
  } finally {
    await scratch?.remove();
  }
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
