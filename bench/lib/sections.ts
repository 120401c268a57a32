// `npm run bench`'s sections besides the rounds, one module each in sections/.
import type { Ctx } from './plan.js';
import { rounds } from './rounds.js';
import { concurrency } from './sections/concurrency.js';
import { heap } from './sections/heap.js';
import { retry } from './sections/retry.js';
import { rss } from './sections/rss.js';
import { proxy } from './sections/proxy.js';
import { engines } from './sections/engines.js';
import { s3 } from './sections/s3.js';
import { integrity } from './sections/integrity.js';
import { trace } from './sections/trace.js';
import { tus } from './sections/tus.js';

export const sections: Record<string, (ctx: Ctx) => Promise<void>> = {
  rounds,
  trace,
  heap,
  rss,
  concurrency,
  retry,
  s3,
  tus,
  integrity,
  engines,
  proxy,
};
