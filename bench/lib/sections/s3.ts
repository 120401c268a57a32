// Issue #13: our server on the S3 store against the file store and against @tus/server with @tus/s3-store,
// all on one local Ceph RGW, with one client (tus-js-client in the page, the whole file in one PATCH); then
// the server's VmRSS while it receives the big file into S3.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { S3Store } from '../../../src/server/stores/s3/store.js';
import { rgwAvailable, rgwMissing, startRgw, type RunningRgw } from '../../../test/support/rgw.js';
import { ServerChild } from '../children.js';
import { WORK } from '../files.js';
import type { Harness, ServerName, Variant } from '../harness.js';
import { alternate, pairedTable, ratio, summarize } from '../paired.js';
import type { Ctx } from '../plan.js';
import { cpuMsOf, descendants } from '../proc.js';
import { fmt, MB, MiB, table } from '../report.js';
import { BucketStorage } from '../s3-bucket.js';

/** Our S3 store's default part size; @tus/s3-store is given the same. */
const PART = new S3Store({ bucket: 'unused' }).partSize;

const FILE: Variant = { id: 'ours, file store', kind: 'tus', server: 'ours', chunkMiB: null };
const OURS_S3: Variant = { id: 'ours, S3 store', kind: 'tus', server: 'ours-s3', chunkMiB: null };
const TUS_S3: Variant = { id: '@tus/server + @tus/s3-store', kind: 'tus', server: 'tus-s3', chunkMiB: null };

export async function s3(ctx: Ctx): Promise<void> {
  const { harness, plan, results } = ctx;
  if (!rgwAvailable() || !harness.built.serverCli) {
    const why = rgwMissing() || 'the server is not built';
    console.warn(`\n!!! s3 section SKIPPED: ${why}\n`);
    results.s3 = { skipped: why };
    return;
  }
  console.log(
    `\n== s3: ${plan.rounds} x 3 uploads of ${plan.sizeMiB} MiB by tus-js-client (one PATCH each), order alternating;` +
      ` part size ${PART / MiB} MiB for both S3 stores; Ceph RGW (memstore) on loopback ==`,
  );
  const before = new Set(descendants(process.pid));
  const rgw = await startRgw();
  // RGW's daemons inherit the bench's CPU (the servers' one when pinned), as the servers do.
  for (const pid of descendants(process.pid)) if (!before.has(pid)) harness.helpers.add(pid);
  const rgwPids = [...harness.helpers];
  console.log(`RGW started in ${rgw.startedIn} ms at ${rgw.endpoint}`);
  const started: ServerName[] = [];
  try {
    await startServers(harness, rgw, started);
    const around = () => {
      const c0 = cpuMsOf(rgwPids);
      return () => cpuMsOf(rgwPids) - c0;
    };
    const samples = await alternate(ctx, [FILE, OURS_S3, TUS_S3], around);
    const rows = [FILE, OURS_S3, TUS_S3].map((v) => summarize(samples, v.id));
    const goal = ratio(samples, OURS_S3.id, TUS_S3.id);
    const vsFile = ratio(samples, OURS_S3.id, FILE.id);
    console.log(
      `\n${plan.rounds} rounds, ${plan.sizeMiB} MiB, MB/s = 10^6 bytes/s, medians; ratios: medians of per-round ratios`,
    );
    console.log(pairedTable(rows, samples, { id: TUS_S3.id, label: 'x@tus/s3' }, 'rgwCPU'));
    console.log(
      `ours on S3 / @tus/s3-store: ${fmt(goal, 2)}x (issue #13 asks >= 1.2); ours on S3 / ours on files: ${fmt(vsFile, 2)}x\n` +
        'srvCPU: the server process; rgwCPU: radosgw + ceph-osd + ceph-mon; srvRSS+: server VmRSS peak minus start',
    );
    const rss = await bigIntoS3(ctx, around);
    results.s3 = {
      partSize: PART,
      rgwStartMs: rgw.startedIn,
      oursS3VsTusS3: goal,
      oursS3VsFile: vsFile,
      summary: rows,
      samples: samples.map(({ trace: _trace, ...s }) => s),
      rss,
    };
  } finally {
    for (const name of started) await harness.detach(name);
    for (const pid of rgwPids) harness.helpers.delete(pid);
    await rgw.stop();
  }
}

/** Each S3 server's VmRSS right after it started, before any upload. */
const fresh = new Map<ServerName, number>();

async function startServers(harness: Harness, rgw: RunningRgw, started: ServerName[]): Promise<void> {
  const { built, pin } = harness;
  const env = {
    AWS_ACCESS_KEY_ID: rgw.accessKeyId,
    AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
    AWS_REGION: rgw.region,
  };
  const client = await rgw.client();
  const start = async (name: ServerName, script: string, bucket: string, args: string[]) => {
    await rgw.bucket(bucket);
    const dir = join(WORK, `store-${name}`);
    mkdirSync(dir, { recursive: true });
    const common = ['--port', '0', '--host', '127.0.0.1', '--dir', dir, '--static', built.www];
    const child = await ServerChild.start(
      name,
      built.probe,
      script,
      [...common, ...args],
      dir,
      pin?.server,
      env,
    );
    child.storage = new BucketStorage(client, bucket);
    fresh.set(name, child.rss());
    started.push(name);
    await harness.attach(name, child);
  };
  await start('ours-s3', built.serverCli!, 'bench-ours', [
    '--store',
    's3://bench-ours/uploads',
    '--s3-endpoint',
    rgw.endpoint,
  ]);
  await start('tus-s3', built.tusServer, 'bench-tus', [
    '--s3-bucket',
    'bench-tus',
    '--s3-endpoint',
    rgw.endpoint,
    '--part-size',
    String(PART),
  ]);
}

/** VmRSS of each S3 server while it receives the main file, then the big one (the rss section's method). */
async function bigIntoS3({ harness, plan, files, index }: Ctx, around: () => () => number) {
  console.log(
    `\n== s3 rss: server VmRSS while receiving ${plan.sizeMiB} MiB, then ${plan.bigMiB} MiB into S3 (every 20 ms) ==`,
  );
  const out = [];
  for (const v of [OURS_S3, TUS_S3]) {
    const upload = async (big: boolean) => {
      const stop = around();
      const s = await harness.upload({
        variant: v,
        round: 1,
        indices: [big ? index.big : index.main],
        bytes: (big ? plan.bigMiB : plan.sizeMiB) * MiB,
        sources: [big ? files.big : files.main],
      });
      return { ...s, helperCpuMs: stop() };
    };
    const small = await upload(false);
    const s = await upload(true);
    out.push({
      variant: v.id,
      freshMB: (fresh.get(v.server) ?? NaN) / MB,
      smallPeakMB: small.serverRssPeak / MB,
      startMB: s.serverRssBase / MB,
      firstQuarterMB: s.serverRssFirstQuarter / MB,
      lastQuarterMB: s.serverRssLastQuarter / MB,
      peakMB: s.serverRssPeak / MB,
      endMB: s.serverRssEnd / MB,
      growthInParts: (s.serverRssPeak - s.serverRssBase) / PART,
      mbps: s.mbps,
      verified: s.verified,
    });
  }
  console.log(
    table([
      [
        'variant',
        'fresh',
        `peak at ${plan.sizeMiB} MiB`,
        'start',
        '1st quarter',
        'last quarter',
        'peak',
        'end',
        'peak-start',
        'MB/s',
        'stored',
      ],
      ...out.map((r) => [
        r.variant,
        `${fmt(r.freshMB)} MB`,
        `${fmt(r.smallPeakMB)} MB`,
        `${fmt(r.startMB)} MB`,
        `${fmt(r.firstQuarterMB)} MB`,
        `${fmt(r.lastQuarterMB)} MB`,
        `${fmt(r.peakMB)} MB`,
        `${fmt(r.endMB)} MB`,
        `${fmt(r.growthInParts, 1)} parts`,
        fmt(r.mbps),
        r.verified,
      ]),
    ]),
  );
  console.log(
    `fresh: just started, before any upload; start: before the ${plan.bigMiB} MiB upload (after the rounds);
` + `flat: the last quarter peaks where the first did; peak-start in parts of ${PART / MiB} MiB`,
  );
  return out;
}
