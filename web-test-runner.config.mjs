// Browser tests: engine and element suites in Debian's Chromium.
import { writeFileSync } from 'node:fs';
import { chromeLauncher, defaultReporter } from '@web/test-runner';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { testHandlers } from './test/support/wtr-handlers.mjs';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';

/** Writes the real pass/fail counts for scripts/test.mjs, which prints the closing line. */
function countReporter(file) {
  return {
    onTestRunFinished({ sessions }) {
      let passed = 0;
      let failed = 0;
      const walk = (suite) => {
        for (const t of suite.tests) {
          if (t.skipped) continue;
          if (t.passed) passed++;
          else failed++;
        }
        for (const s of suite.suites) walk(s);
      };
      for (const session of sessions) {
        if (session.testResults) walk(session.testResults);
        // A file that failed to load counts as one failure.
        if (!session.testResults || (session.errors && session.errors.length))
          failed += session.errors?.length ? 1 : 0;
      }
      if (file) writeFileSync(file, JSON.stringify({ passed, failed }));
    },
  };
}

export default {
  files: ['test/engine/**/*.test.ts', 'test/element/**/*.test.ts'],
  nodeResolve: { exportConditions: ['production'] },
  concurrency: 1,
  testsFinishTimeout: 240000,
  testFramework: { config: { timeout: 20000 } },
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: chromiumPath,
        headless: true,
        args: chromiumArgs,
      },
    }),
  ],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' })],
  middleware: [
    // MSW's service worker must be served from the root so its scope covers every test URL.
    function mswWorker(ctx, next) {
      if (ctx.url === '/mockServiceWorker.js') ctx.url = '/node_modules/msw/lib/mockServiceWorker.js';
      return next();
    },
    ...testHandlers,
  ],
  reporters: [defaultReporter(), countReporter(process.env.WTR_COUNT_FILE)],
};
