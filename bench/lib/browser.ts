// One headless Chromium; one page per server origin so every upload is same-origin.
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import type { PageResult } from '../page/bench-page.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface PageMetrics {
  /** Main-thread task time (CDP Performance.getMetrics TaskDuration), ms. */
  taskMs: number;
  /** Script time within it, ms. */
  scriptMs: number;
  jsHeapUsed: number;
}

export class BenchPage {
  private constructor(
    readonly page: Page,
    readonly cdp: CDPSession,
  ) {}

  static async open(browser: Browser, url: string, files: string[]): Promise<BenchPage> {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[page ${url}]`, e.message));
    await page.goto(`${url}/`);
    await page.waitForFunction(() => document.title === 'ready');
    // Local paths: Chromium opens the files itself (DOM.setFileInputFiles), nothing is copied through the protocol.
    await page.setInputFiles('#file', files);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    return new BenchPage(page, cdp);
  }

  async metrics(): Promise<PageMetrics> {
    const { metrics } = await this.cdp.send('Performance.getMetrics');
    const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
    return {
      taskMs: get('TaskDuration') * 1000,
      scriptMs: get('ScriptDuration') * 1000,
      jsHeapUsed: get('JSHeapUsedSize'),
    };
  }

  async gc(): Promise<void> {
    await this.cdp.send('HeapProfiler.collectGarbage');
  }

  async heapUsage(): Promise<{ usedSize: number; totalSize: number }> {
    return this.cdp.send('Runtime.getHeapUsage');
  }

  run(kind: 'raw' | 'ours' | 'element' | 'tus', opts: object): Promise<PageResult> {
    return this.page.evaluate(
      ([k, o]) =>
        (globalThis as unknown as { bench: Record<string, (o: object) => Promise<PageResult>> }).bench[k](o),
      [kind, opts] as const,
    );
  }
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--enable-precise-memory-info',
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
    ],
  });
}
