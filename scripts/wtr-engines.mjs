// @web/test-runner launchers for the three engines (see scripts/engines.mjs for how each is reached).
import { chromeLauncher } from '@web/test-runner';
import { chromeLauncher as puppeteerLauncher } from '@web/test-runner-chrome';
import { webdriverLauncher } from '@web/test-runner-webdriver';
import * as puppeteer from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from './chromium.mjs';
import { assertInstalled, firefoxLaunchOptions, startWebKitStack, webkitRemoteOptions } from './engines.mjs';

/**
 * WebKitGTK through @web/test-runner-webdriver, owning its Xvfb and WebKitWebDriver: both start
 * when the first test file needs them and stop with the run.
 */
class WebKitGtkLauncher {
  name = 'WebKit';
  type = 'webdriver';
  /** @type {Awaited<ReturnType<typeof startWebKitStack>> | undefined} */
  stack;
  /** @type {Promise<unknown> | undefined} */
  starting;
  /** @type {ReturnType<typeof webdriverLauncher> | undefined} */
  inner;

  async initialize(config, testFiles) {
    if (config.concurrency !== 1) {
      // The webdriver launcher puts test files in iframes above 1, where keyboard actions do not work.
      throw new Error('WebKit needs concurrency: 1 in web-test-runner.config.mjs');
    }
    this.config = config;
    this.testFiles = testFiles;
  }

  async ensureStarted() {
    this.starting ??= (async () => {
      this.stack = await startWebKitStack();
      this.inner = webdriverLauncher(webkitRemoteOptions(this.stack.port));
      await this.inner.initialize(this.config, this.testFiles);
    })();
    await this.starting;
    return /** @type {ReturnType<typeof webdriverLauncher>} */ (this.inner);
  }

  async startSession(id, url) {
    return (await this.ensureStarted()).startSession(id, url);
  }

  isActive(id) {
    return !!this.inner?.isActive(id);
  }

  getBrowserUrl(id) {
    return this.inner.getBrowserUrl(id);
  }

  async stopSession(id) {
    return (await this.ensureStarted()).stopSession(id);
  }

  async startDebugSession() {
    throw new Error('WebKit: debug sessions are not supported here (MiniBrowser runs on a hidden display)');
  }

  async stop() {
    try {
      await this.inner?.stop();
    } finally {
      this.stack?.stop();
    }
  }

  sendKeys(id, keys) {
    return this.inner.sendKeys(id, keys);
  }
  sendMouseMove(id, x, y) {
    return this.inner.sendMouseMove(id, x, y);
  }
  sendMouseClick(id, x, y, button) {
    return this.inner.sendMouseClick(id, x, y, button);
  }
  sendMouseDown(id, button) {
    return this.inner.sendMouseDown(id, button);
  }
  sendMouseUp(id, button) {
    return this.inner.sendMouseUp(id, button);
  }
  resetMouse(id) {
    return this.inner.resetMouse(id);
  }
  takeScreenshot(id, locator) {
    return this.inner.takeScreenshot(id, locator);
  }
}

/** One launcher per engine name from scripts/engines.mjs's `selectedEngines()`. */
export function engineLauncher(engine) {
  assertInstalled(engine);
  if (engine === 'chromium') {
    return chromeLauncher({
      launchOptions: { executablePath: chromiumPath, headless: true, args: chromiumArgs },
    });
  }
  if (engine === 'firefox') {
    return puppeteerLauncher({ puppeteer, launchOptions: firefoxLaunchOptions });
  }
  return new WebKitGtkLauncher();
}
