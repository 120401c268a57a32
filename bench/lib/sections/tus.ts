// Issue #12: the element in tus mode against @tus/server (@tus/file-store) next to tus-js-client on the same
// server, and against our server next to the element in status-upload mode; every client sends the whole
// file in one request (the element's chunk-size 0, tus-js-client's chunkSize Infinity).
import type { Variant } from '../harness.js';
import { alternate, pairedTable, ratio, summarize } from '../paired.js';
import { usable, type Ctx } from '../plan.js';
import { fmt } from '../report.js';

const TUSJS_TUS: Variant = { id: 'tus-js-client -> @tus/server', kind: 'tus', server: 'tus', chunkMiB: null };
const ELEMENT_TUS: Variant = {
  id: 'element (tus) -> @tus/server',
  kind: 'element',
  server: 'tus',
  chunkMiB: 0,
  protocol: 'tus',
};
const TUSJS_OURS: Variant = { id: 'tus-js-client -> ours', kind: 'tus', server: 'ours', chunkMiB: null };
const ELEMENT_OURS_TUS: Variant = { ...ELEMENT_TUS, id: 'element (tus) -> ours', server: 'ours' };
const ELEMENT_OURS: Variant = {
  id: 'element (status-upload) -> ours',
  kind: 'element',
  server: 'ours',
  chunkMiB: 0,
};

export async function tus(ctx: Ctx): Promise<void> {
  const { harness, plan, results } = ctx;
  const variants = usable(harness, [TUSJS_TUS, ELEMENT_TUS, TUSJS_OURS, ELEMENT_OURS_TUS, ELEMENT_OURS]);
  console.log(
    `\n== tus: ${plan.rounds} x ${variants.length} uploads of ${plan.sizeMiB} MiB, whole file per request, order alternating ==`,
  );
  const samples = await alternate(ctx, variants);
  const rows = variants.map((v) => summarize(samples, v.id));
  const pairs = {
    elementVsTusJsOnTusServer: ratio(samples, ELEMENT_TUS.id, TUSJS_TUS.id),
    elementTusVsStatusUploadOnOurs: ratio(samples, ELEMENT_OURS_TUS.id, ELEMENT_OURS.id),
    elementVsTusJsOnOurs: ratio(samples, ELEMENT_OURS_TUS.id, TUSJS_OURS.id),
    oursVsTusServerForTusJs: ratio(samples, TUSJS_OURS.id, TUSJS_TUS.id),
  };
  console.log(
    `\n${plan.rounds} rounds, ${plan.sizeMiB} MiB, MB/s = 10^6 bytes/s, medians; ratios: medians of per-round ratios`,
  );
  console.log(pairedTable(rows, samples, { id: TUSJS_TUS.id, label: 'x tus-js->@tus/server' }));
  console.log(
    `element (tus) / tus-js-client, both on @tus/server: ${fmt(pairs.elementVsTusJsOnTusServer, 2)}x (issue #12 asks >= 1)\n` +
      `element (tus) / element (status-upload), both on ours: ${fmt(pairs.elementTusVsStatusUploadOnOurs, 2)}x\n` +
      `element (tus) / tus-js-client, both on ours: ${fmt(pairs.elementVsTusJsOnOurs, 2)}x; ` +
      `tus-js-client on ours / on @tus/server: ${fmt(pairs.oursVsTusServerForTusJs, 2)}x`,
  );
  results.tus = { ...pairs, summary: rows, samples: samples.map(({ trace: _trace, ...s }) => s) };
}
