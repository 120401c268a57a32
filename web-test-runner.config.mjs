// Browser tests: engine and element suites in Chromium, Firefox and WebKit (scripts/engines.mjs);
// `ENGINES=chromium` (or any comma list) narrows a run.
import { writeFileSync } from 'node:fs';
import { defaultReporter } from '@web/test-runner';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { testHandlers } from './test/support/wtr-handlers.mjs';
import { selectedEngines } from './scripts/engines.mjs';
import { engineLauncher } from './scripts/wtr-engines.mjs';

/**
 * Writes the real pass/fail counts for scripts/test.mjs, which prints the closing line, and prints
 * one line per engine with its skips, so an engine that skips is never silent.
 */
function countReporter(file) {
  return {
    onTestRunFinished({ sessions }) {
      let passed = 0;
      let failed = 0;
      const engines = {};
      for (const session of sessions) {
        const e = (engines[session.browser.name] ??= { passed: 0, failed: 0, skipped: 0 });
        const walk = (suite) => {
          for (const t of suite.tests) {
            if (t.skipped) e.skipped++;
            else if (t.passed) e.passed++;
            else e.failed++;
          }
          for (const s of suite.suites) walk(s);
        };
        if (session.testResults) walk(session.testResults);
        // A file that failed to load counts as one failure.
        if (!session.testResults || (session.errors && session.errors.length))
          e.failed += session.errors?.length ? 1 : 0;
      }
      for (const [name, e] of Object.entries(engines)) {
        passed += e.passed;
        failed += e.failed;
        console.log(`${name}: ${e.passed} passed, ${e.failed} failed, ${e.skipped} skipped`);
      }
      if (file) writeFileSync(file, JSON.stringify({ passed, failed, engines }));
    },
  };
}

export default {
  files: ['test/engine/**/*.test.ts', 'test/element/**/*.test.ts'],
  nodeResolve: { exportConditions: ['production'] },
  // One test file at a time per engine (WebKit's webdriver launcher needs it for keyboard actions),
  // one engine at a time: the upload sink below keeps one state for the whole server.
  concurrency: 1,
  concurrentBrowsers: 1,
  // Firefox takes 20-30 s to start a fresh profile on a busy machine; a hung start still fails.
  browserStartTimeout: 150000,
  testsFinishTimeout: 240000,
  testFramework: { config: { timeout: 20000 } },
  browsers: selectedEngines().map(engineLauncher),
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
