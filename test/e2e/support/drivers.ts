// The three browser engines behind one small interface, for scenarios that run in each:
// Chromium and Firefox through puppeteer-core (CDP and WebDriver BiDi), WebKitGTK through webdriverio
// (classic WebDriver, one session per page). Playwright stays the Chromium driver of the other e2e files.
import puppeteer, { type Browser as PuppeteerBrowser, type ElementHandle } from 'puppeteer-core';
import { remote } from 'webdriverio';
import { chromiumArgs, chromiumPath } from '../../../scripts/chromium.mjs';
import {
  assertInstalled,
  firefoxLaunchOptions,
  startWebKitStack,
  webkitRemoteOptions,
  type EngineName,
} from '../../../scripts/engines.mjs';
import type { ClientOptions, LoggedEvent, Mode } from './browser.js';

export type { EngineName };

/** One tab with its own storage, in one engine. */
export interface EnginePage {
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Runs `fn(arg)` in the page; `fn` is serialized, so it may use only its argument and the page's globals. */
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Sets `path` on a file input the way a user's pick does (`selector` inside `host`'s shadow root). */
  setInputFile(path: string, selector: string, host?: string): Promise<void>;
  /**
   * Takes the tab off the network and back (navigator.onLine and its events included) where the driver
   * can emulate the network; WebKit's only tells the page (can.emulateNetwork false): take the link down
   * as well (FaultProxy.setLinkDown) for a real outage.
   */
  setOffline(offline: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface EngineDriver {
  engine: EngineName;
  /** What not every driver can express. */
  can: { emulateNetwork: boolean };
  newPage(): Promise<EnginePage>;
  close(): Promise<void>;
}

/** Rejects after `ms` naming `what`: a browser that hangs fails the test instead of blocking it. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const findInput = ([selector, host]: [string, string | undefined]): Element | null =>
  host
    ? (document.querySelector(host)?.shadowRoot?.querySelector(selector) ?? null)
    : document.querySelector(selector);

async function puppeteerDriver(
  engine: 'chromium' | 'firefox',
  browser: PuppeteerBrowser,
): Promise<EngineDriver> {
  return {
    engine,
    can: { emulateNetwork: true },
    async newPage() {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      page.on('pageerror', (err) => console.error(`[${engine} page error] ${(err as Error).message}`));
      return {
        async goto(url) {
          const res = await page.goto(url);
          if (res && !res.ok()) throw new Error(`${url} answered ${res.status()}`);
        },
        reload: async () => void (await page.reload()),
        evaluate: (fn, arg) => page.evaluate(fn as (a: unknown) => unknown, arg) as never,
        async setInputFile(path, selector, host) {
          const handle = await page.evaluateHandle(findInput, [selector, host] as [
            string,
            string | undefined,
          ]);
          const input = handle.asElement() as ElementHandle<HTMLInputElement> | null;
          if (!input) throw new Error(`no ${selector} in the page`);
          await input.uploadFile(path);
          await input.dispose();
        },
        setOffline: (offline) => page.setOfflineMode(offline),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

/** The key of an element reference in WebDriver's JSON. */
const WEB_ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

async function webkitDriver(): Promise<EngineDriver> {
  const stack = await startWebKitStack();
  // One session for every page: a new one costs seconds. A closed page leaves for about:blank and its
  // storage is cleared, so the next one starts as a fresh tab would (test files are unique anyway).
  let session: Promise<WebdriverIO.Browser> | undefined;
  const open = () =>
    (session ??= within(120_000, 'a WebKit session', remote(webkitRemoteOptions(stack.port))).catch((err) => {
      session = undefined;
      throw err;
    }));
  let busy = false;
  return {
    engine: 'webkit',
    // Classic WebDriver has no network emulation, and WebKitGTK's MiniBrowser no switch for it: the page
    // is told instead (navigator.onLine and the offline/online events), and the test takes the link down.
    can: { emulateNetwork: false },
    async newPage() {
      if (busy) throw new Error('WebKit: one page at a time (one WebDriver session)');
      const browser = await open();
      busy = true;
      return {
        goto: (url) => browser.navigateTo(url).then(() => undefined),
        reload: () => browser.refresh(),
        // webdriverio's types spread element arguments; ours is one plain value.
        evaluate: (fn, arg) => browser.execute(fn as never, arg as never) as never,
        async setInputFile(path, selector, host) {
          const ref = (await browser.execute(findInput as never, [selector, host] as never)) as Record<
            string,
            string
          > | null;
          const id = ref?.[WEB_ELEMENT];
          if (!id) throw new Error(`no ${selector} in the page`);
          // Element Send Keys on a file input selects that local file, as a pick does.
          await browser.elementSendKeys(id, path);
        },
        async setOffline(offline) {
          await browser.execute(signalOffline as never, offline as never);
        },
        async close() {
          busy = false;
          await browser
            .execute(() => {
              localStorage.clear();
              sessionStorage.clear();
            })
            .catch(() => undefined);
          await browser.navigateTo('about:blank').catch(() => undefined);
        },
      };
    },
    async close() {
      const s = await session?.catch(() => undefined);
      await s?.deleteSession().catch(() => undefined);
      stack.stop();
    },
  };
}

/** Launches one engine; throws, naming the package, when it is not installed. */
export async function launchEngine(engine: EngineName): Promise<EngineDriver> {
  assertInstalled(engine);
  if (engine === 'webkit') return webkitDriver();
  const options =
    engine === 'firefox'
      ? firefoxLaunchOptions
      : { executablePath: chromiumPath, args: chromiumArgs, headless: true, timeout: 60_000 };
  return puppeteerDriver(engine, await puppeteer.launch(options));
}

// The page-side harness (fixtures/harness.js), the same for every engine.

/** Polls `fn(arg)` in the page until it returns true. */
export async function waitUntil<A>(
  page: EnginePage,
  fn: (arg: A) => boolean,
  arg: A,
  timeout = 60_000,
  what = 'the page condition',
): Promise<void> {
  const until = performance.now() + timeout;
  while (!(await page.evaluate(fn, arg))) {
    if (performance.now() > until) throw new Error(`${what}: not met within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens the test page from `origin` and mounts the element (or the engine) talking to the same origin. */
export async function openHarness(
  page: EnginePage,
  origin: string,
  mode: Mode,
  options: ClientOptions,
): Promise<void> {
  await page.goto(`${origin}/index.html`);
  await mountHarness(page, origin, mode, options);
}

export async function mountHarness(
  page: EnginePage,
  origin: string,
  mode: Mode,
  options: ClientOptions,
): Promise<void> {
  // The harness imports the bundle: when it never appears, the bundle failed to load (not built?).
  await waitUntil(page, () => 'harness' in window, null, 30_000, 'the harness loaded').catch(
    async (err: Error) => {
      const seen = await page
        .evaluate(() => `${location.href} ${document.readyState}: ${document.title}`, null)
        .catch((e: Error) => e.message);
      throw new Error(`${err.message} (page: ${seen})`);
    },
  );
  await page.evaluate(([m, o]) => window.harness.mount(m, o), [
    mode,
    { statusUrl: `${origin}/status`, uploadUrl: `${origin}/upload`, ...options },
  ] as const);
}

/** Picks a file the way a user does: through the file input (the element's own, inside its shadow root). */
export const pickFile = (page: EnginePage, mode: Mode, path: string): Promise<void> =>
  mode === 'element'
    ? page.setInputFile(path, 'input[type=file]', 'resumable-upload')
    : page.setInputFile(path, '#picker');

export const harnessLog = (page: EnginePage): Promise<LoggedEvent[]> =>
  page.evaluate(() => window.harness.log, null);

/** Waits until the upload completes or fails for good; returns the outcome and the page's event log. */
export async function settleHarness(
  page: EnginePage,
  timeout = 60_000,
): Promise<{ outcome: string; log: LoggedEvent[] }> {
  await waitUntil(page, () => window.harness.settled() !== null, null, timeout, 'the upload settled');
  return page.evaluate(() => ({ outcome: window.harness.settled()!, log: window.harness.log }), null);
}

/** In the page: what the browser does when the network goes away or comes back, short of cutting it. */
function signalOffline(offline: boolean): void {
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => !offline });
  window.dispatchEvent(new Event(offline ? 'offline' : 'online'));
}
