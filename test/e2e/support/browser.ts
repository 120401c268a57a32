// Headless Chromium driven by playwright-core, and the page-side harness (fixtures/harness.js).
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../../scripts/chromium.mjs';

export type Mode = 'element' | 'engine';

/** The element's `protocol` attribute. */
export type ProtocolName = 'status-upload' | 'tus' | 'ietf';
export const PROTOCOLS: readonly ProtocolName[] = ['status-upload', 'tus', 'ietf'];

export interface ClientOptions {
  chunkSize: number;
  retryDelays: number[];
  stallTimeout?: number;
  /** Unset: the element's default (status-upload). */
  protocol?: ProtocolName;
  /** tus and IETF creation URL; `<origin>/files/` when a protocol is set and this is not. */
  endpoint?: string;
  /** The `integrity` attribute (set only when true: a boolean attribute is on when present). */
  integrity?: true;
  /** The `persist` attribute's value ('' turns it on). */
  persist?: string;
}

export interface LoggedEvent {
  type: string;
  t: number;
  fileId?: string;
  bytesUploaded?: number;
  bytesTotal?: number;
  attempt?: number;
  delay?: number;
  /** The upload's status when the event fired. */
  status?: string;
  waitingForNetwork?: boolean;
  error?: { kind: string; status: number; message: string };
  /** upload-complete with `integrity`: the file's SHA-256 (hex) and whether the server echoed it. */
  sha256?: string | null;
  verified?: boolean;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: chromiumArgs,
  });
}

/** Opens the test page from `origin` and mounts the element (or the engine) talking to the same origin. */
export async function openPage(
  context: BrowserContext,
  origin: string,
  mode: Mode,
  options: ClientOptions,
): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
  const res = await page.goto(`${origin}/index.html`);
  if (!res?.ok()) throw new Error(`the test page answered ${res?.status()}`);
  await mount(page, origin, mode, options);
  return page;
}

export async function mount(page: Page, origin: string, mode: Mode, options: ClientOptions): Promise<void> {
  // The harness imports the bundle: when it never appears, the bundle failed to load (not built?).
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 10_000 });
  const endpoint = options.protocol ? { endpoint: `${origin}/files/` } : {};
  await page.evaluate(([m, o]) => window.harness.mount(m, o), [
    mode,
    { statusUrl: `${origin}/status`, uploadUrl: `${origin}/upload`, ...endpoint, ...options },
  ] as const);
}

/** Picks a file the way a user does: through the file input (the element's own, inside its shadow root). */
export async function pick(page: Page, mode: Mode, path: string): Promise<void> {
  const input =
    mode === 'element'
      ? page.locator('resumable-upload').locator('input[type=file]')
      : page.locator('#picker');
  await input.setInputFiles(path);
}

interface Harness {
  log: LoggedEvent[];
  mount(mode: Mode, options: object): Promise<void> | undefined;
  settled(): 'complete' | 'error' | null;
  uploaded(): number;
  pause(): void;
  resume(): void;
  /** Upload URLs tus and IETF remember in localStorage, by key. */
  remembered(): Record<string, string>;
}
declare global {
  interface Window {
    harness: Harness;
  }
}

/** Waits until the upload completes or fails for good; returns the outcome and the page's event log. */
export async function settle(page: Page, timeout = 60_000): Promise<{ outcome: string; log: LoggedEvent[] }> {
  await page.waitForFunction(() => window.harness.settled() !== null, null, { timeout, polling: 50 });
  return page.evaluate(() => ({ outcome: window.harness.settled()!, log: window.harness.log }));
}

/** The first row of the element: its status text, and whether another tab uploads its file. */
export const firstRow = (page: Page): Promise<{ status: string; elsewhere: boolean; bytes: number } | null> =>
  page.evaluate(() => {
    type Item = { elsewhere: boolean; bytesUploaded: number };
    const el = document.querySelector('resumable-upload') as (HTMLElement & { items: Item[] }) | null;
    const item = el?.items[0];
    if (!el || !item) return null;
    const status = el.shadowRoot?.querySelector('[part=status]')?.textContent?.trim() ?? '';
    return { status, elsewhere: item.elsewhere, bytes: item.bytesUploaded };
  });

export const eventLog = (page: Page): Promise<LoggedEvent[]> => page.evaluate(() => window.harness.log);
export const pause = (page: Page): Promise<void> => page.evaluate(() => window.harness.pause());
export const resume = (page: Page): Promise<void> => page.evaluate(() => window.harness.resume());
export const remembered = (page: Page): Promise<Record<string, string>> =>
  page.evaluate(() => window.harness.remembered());
