import { defaultOptions } from '../../../src/engine/options.js';
import { FaultProxy } from '../../../test/e2e/support/proxy.js';
import { BenchPage } from '../browser.js';
import type { Harness } from '../harness.js';
import { DEFAULT_CHUNK, ours, type Ctx } from '../plan.js';
import { fmt, median, MiB, table } from '../report.js';

interface RetryCut {
  /** Chromium's own re-send of the cut request (same X-Start-Byte), on a new connection. */
  cutToResendMs: number | null;
  /** What the re-send got: the 409 with the offset, or a reset ('none') as the server closed mid-body. */
  resendAnswer: number | 'none' | null;
  cutToStatusMs: number | null;
  /** The status answer leaving the server to the retry's first byte arriving. */
  statusToRetryByteMs: number | null;
  cutToRetryFirstByteMs: number | null;
  statusRttClientMs: number | null;
  statusServerMs: number | null;
  errorToStatusSendMs: number | null;
  /**
   * Page clock: the cut request's failure (or 409) reaching the page to the resuming POST's send(). What
   * the client controls: the budget is the status round trip it measured plus the first retry delay.
   */
  failureToRetrySendMs: number | null;
  firstRetryDelayMs: number;
  chromiumResent: boolean;
  sequence: string[];
  retries: number;
  verified: string;
  mbps: number;
}

export async function retry({ harness, plan, files, index, results }: Ctx): Promise<void> {
  const sizeMiB = plan.heapMiB[0];
  const cutBytes = 4 * MiB;
  const all: Record<string, { summary: object; cuts: RetryCut[] }> = {};
  for (const name of ['ours'] as const) {
    const server = harness.servers.get(name);
    if (!server) continue;
    console.log(
      `\n== retry latency (${name}): ${plan.retryCuts} uploads of ${sizeMiB} MiB, each POST cut after ${cutBytes / MiB} MiB by a proxy ==`,
    );
    const cuts = await cutAndRetry(harness, server.url, name, { plan, files, index, sizeMiB, cutBytes });
    all[name] = { summary: printRetry(cuts), cuts };
  }
  results.retry = all;
}

async function cutAndRetry(
  harness: Harness,
  url: string,
  name: 'ours',
  {
    plan,
    files,
    index,
    sizeMiB,
    cutBytes,
  }: Pick<Ctx, 'plan' | 'files' | 'index'> & { sizeMiB: number; cutBytes: number },
): Promise<RetryCut[]> {
  // The e2e suite's fault proxy: the cut is its `cut` fault at the file's byte `cutBytes` of the first POST.
  const proxy = await FaultProxy.start(Number(new URL(url).port));
  const page = await BenchPage.open(harness.browser, proxy.url, harness.files);
  const out: RetryCut[] = [];
  try {
    for (let k = 0; k < plan.retryCuts; k++) {
      let first = 0;
      const s = await harness.upload({
        beforeEach: () => {
          proxy.clearFaults();
          first = proxy.requests.length;
          void proxy.inject({ kind: 'cut', at: cutBytes });
        },
        variant: ours(DEFAULT_CHUNK, name),
        round: k + 1,
        indices: [index.heap[0]],
        bytes: sizeMiB * MiB,
        sources: [files.heap[0]],
        trace: true,
        page,
        hash: true,
      });
      const log = proxy.requests.slice(first);
      const cut = log.find((e) => e.fault === 'cut');
      const cutAt = cut?.faultAt ?? NaN;
      const after = log.filter((e) => e.arrived >= cutAt);
      const status = after.find((e) => e.method === 'GET');
      // The retry proper: the first POST that goes on from where the server is (Chromium itself may
      // first re-send the cut request on a fresh connection; the server answers that one 409).
      const resumed = after.find((e) => e.method === 'POST' && e.start !== cut?.start);
      const resend = after.find((e) => e.method === 'POST' && e.start === cut?.start);
      // Client side (page clock): the cut POST's end, then the status request's round trip.
      const rows = s.trace ?? [];
      const failedAt = rows.findIndex((r) => r[0] === 'POST');
      const failed = rows[failedAt];
      const get = rows.slice(failedAt + 1).find((r) => r[0] === 'GET');
      // The POST that resumed: the last one (it carried the upload to its end).
      const resumedRow = rows.filter((r) => r[0] === 'POST').at(-1);
      // A status answer is one small write: its first byte at the proxy is its end.
      const statusAnswered = status?.answered ?? null;
      out.push({
        cutToResendMs: resend ? resend.arrived - cutAt : null,
        resendAnswer: resend ? (resend.status ?? 'none') : null,
        statusToRetryByteMs:
          statusAnswered !== null && resumed?.firstByte != null ? resumed.firstByte - statusAnswered : null,
        cutToStatusMs: status ? status.arrived - cutAt : null,
        cutToRetryFirstByteMs: resumed?.firstByte != null ? resumed.firstByte - cutAt : null,
        statusRttClientMs: get ? get[4] - get[2] : null,
        statusServerMs: statusAnswered !== null ? statusAnswered - status!.arrived : null,
        errorToStatusSendMs: get && failed ? get[2] - failed[4] : null,
        failureToRetrySendMs:
          resumedRow && failed && resumedRow !== failed ? resumedRow[2] - failed[4] : null,
        firstRetryDelayMs: defaultOptions().retryDelays[0],
        chromiumResent: resend !== undefined,
        sequence: after.map(
          (e) => `${e.method} ${e.path}${e.start !== null ? ` @${e.start}` : ''} -> ${e.status ?? 'cut'}`,
        ),
        retries: s.retries,
        verified: s.verified,
        mbps: s.mbps,
      });
    }
  } finally {
    await page.page.context().close();
    await proxy.close();
  }
  return out;
}

function printRetry(out: RetryCut[]) {
  const med = (f: (r: RetryCut) => number | null) => median(out.map(f).filter((x) => x !== null));
  const summary = {
    cutToRetryFirstByteMs: med((r) => r.cutToRetryFirstByteMs),
    failureToRetrySendMs: med((r) => r.failureToRetrySendMs),
    statusRttClientMs: med((r) => r.statusRttClientMs),
    firstRetryDelayMs: defaultOptions().retryDelays[0],
  };
  console.log(
    table([
      [
        'cut',
        'cut->retry 1st byte',
        'cut->re-send',
        're-send got',
        'cut->status',
        'failure->retry send (page)',
        'status RTT (page)',
        'status->retry byte',
        'retries',
        'stored',
      ],
      ...out.map((r, i) => [
        `#${i + 1}`,
        `${fmt(r.cutToRetryFirstByteMs ?? NaN, 1)} ms`,
        `${fmt(r.cutToResendMs ?? NaN, 1)} ms`,
        r.resendAnswer === null ? 'no re-send' : r.resendAnswer === 'none' ? 'reset' : String(r.resendAnswer),
        `${fmt(r.cutToStatusMs ?? NaN, 1)} ms`,
        `${fmt(r.failureToRetrySendMs ?? NaN, 1)} ms`,
        `${fmt(r.statusRttClientMs ?? NaN, 1)} ms`,
        `${fmt(r.statusToRetryByteMs ?? NaN, 1)} ms`,
        String(r.retries),
        r.verified,
      ]),
    ]),
  );
  console.log(
    `medians: page saw the failure -> retry sent ${fmt(summary.failureToRetrySendMs, 1)} ms, budget = status RTT ` +
      `${fmt(summary.statusRttClientMs, 1)} ms + first retry delay ${summary.firstRetryDelayMs} ms; ` +
      `on the wire, cut -> retry's first byte ${fmt(summary.cutToRetryFirstByteMs, 1)} ms`,
  );
  return summary;
}
