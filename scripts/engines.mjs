// How tests reach the three browser engines on a Debian machine, with no downloads:
// Chromium and Firefox (firefox-esr, over WebDriver BiDi) through puppeteer-core, WebKit through
// WebKitGTK's WebKitWebDriver driving its MiniBrowser on a private Xvfb display.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export const firefoxPath = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
export const webkitDriverPath = process.env.WEBKIT_DRIVER_PATH || '/usr/bin/WebKitWebDriver';
export const miniBrowserPath =
  process.env.MINIBROWSER_PATH || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const xvfbPath = process.env.XVFB_PATH || '/usr/bin/Xvfb';

/** Engines a run uses: `ENGINES=chromium,firefox` narrows it; the default is all three. */
export function selectedEngines() {
  const all = ['chromium', 'firefox', 'webkit'];
  const wanted = (process.env.ENGINES || all.join(','))
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const name of wanted) {
    if (!all.includes(name)) throw new Error(`ENGINES: unknown engine "${name}" (use ${all.join(', ')})`);
  }
  return wanted;
}

/** Throws, naming the Debian package, when an engine's binaries are missing: never a silent skip. */
export function assertInstalled(engine) {
  const need = {
    chromium: [[process.env.CHROME_PATH || '/usr/bin/chromium', 'chromium']],
    firefox: [[firefoxPath, 'firefox-esr']],
    webkit: [
      [webkitDriverPath, 'webkit2gtk-driver'],
      [miniBrowserPath, 'webkit2gtk-driver'],
      [xvfbPath, 'xvfb'],
    ],
  }[engine];
  const missing = need.filter(([path]) => !existsSync(path));
  if (missing.length) {
    const list = missing.map(([path, pkg]) => `${path} (apt-get install ${pkg})`).join(', ');
    throw new Error(`${engine} is selected but missing: ${list}; or narrow ENGINES=...`);
  }
}

/** Firefox's launch options for puppeteer-core. Launching a fresh profile takes 20-30 s on a busy machine. */
export const firefoxLaunchOptions = {
  browser: 'firefox',
  executablePath: firefoxPath,
  headless: true,
  timeout: 120_000,
  // Without this, puppeteer subscribes to WebDriver BiDi's network events, and Firefox's remote agent then
  // reads every request body as UTF-8 text on the parent process's main thread before the request may connect
  // (NetworkRequest #readPostDataFromRequestAsUTF8, seen in a Gecko profile): a 128 MiB upload took 4-6 s
  // instead of 0.6-1 s, for any uploader. No test here needs puppeteer's request events; offline emulation
  // does not use them.
  networkEnabled: false,
  extraPrefsFirefox: {
    // The closed network answers nothing: stop Firefox asking for experiments and settings.
    'app.normandy.enabled': false,
    'messaging-system.rsexperimentloader.enabled': false,
    'services.settings.server': 'http://127.0.0.1:9/',
  },
};

/** A TCP port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const children = new Set();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Resolves with the first `timeoutMs` result of `poll`, or rejects naming `what`. */
async function waitFor(what, timeoutMs, poll) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await poll();
    if (value) return value;
    if (Date.now() > until) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts Xvfb on a display it picks itself (`-displayfd`), so parallel runs never collide.
 * @returns {Promise<{ display: string, stop: () => void }>}
 */
export async function startXvfb() {
  const child = track(
    spawn(xvfbPath, ['-displayfd', '1', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const number = await Promise.race([
    waitFor('Xvfb', 20_000, () => /^\d+\n/.test(out) && out.trim()),
    exited.then((code) => {
      throw new Error(`Xvfb exited (${code}) before announcing its display`);
    }),
  ]);
  return { display: `:${number}`, stop: () => child.kill() };
}

/**
 * Starts WebKitWebDriver on a free port against a display.
 * @returns {Promise<{ port: number, stop: () => void }>}
 */
export async function startWebKitDriver(display) {
  const port = await freePort();
  const child = track(
    spawn(webkitDriverPath, [`--port=${port}`, '--host=127.0.0.1'], {
      env: { ...process.env, DISPLAY: display },
      stdio: 'ignore',
    }),
  );
  let exitCode = null;
  child.once('exit', (code) => (exitCode = code ?? 'signal'));
  await waitFor('WebKitWebDriver', 20_000, async () => {
    if (exitCode !== null) throw new Error(`WebKitWebDriver exited (${exitCode})`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(2000) });
      return res.ok;
    } catch {
      return false;
    }
  });
  return { port, stop: () => child.kill() };
}

/** WebDriver capabilities for WebKitGTK's MiniBrowser, classic WebDriver only (no BiDi upgrade). */
export const webkitCapabilities = {
  browserName: 'MiniBrowser',
  'wdio:enforceWebDriverClassic': true,
  'webkitgtk:browserOptions': { binary: miniBrowserPath, args: ['--automation'] },
};

/**
 * webdriverio options that turn a hung new session (MiniBrowser without a display waits forever)
 * into a failure after `timeoutMs`.
 */
export function webkitRemoteOptions(port, timeoutMs = 90_000) {
  return {
    hostname: '127.0.0.1',
    port,
    path: '/',
    logLevel: 'error',
    connectionRetryTimeout: timeoutMs,
    connectionRetryCount: 0,
    capabilities: webkitCapabilities,
  };
}

/**
 * Xvfb plus WebKitWebDriver, started together and stopped together.
 * @returns {Promise<{ display: string, port: number, stop: () => void }>}
 */
export async function startWebKitStack() {
  const xvfb = await startXvfb();
  try {
    const driver = await startWebKitDriver(xvfb.display);
    return {
      display: xvfb.display,
      port: driver.port,
      stop() {
        driver.stop();
        xvfb.stop();
      },
    };
  } catch (error) {
    xvfb.stop();
    throw error;
  }
}
