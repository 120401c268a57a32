// Guards what users receive for languages: one small file per locale in dist/locales/, none of it in
// the script-tag bundle, reachable as resumable-upload/locales/<tag>, and working from a plain folder.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { locales } from '../../src/element/locales/index.js';
import type { de as German } from '../../src/element/locales/de.js';

const root = new URL('../../', import.meta.url).pathname;
const dist = (...p: string[]) => join(root, 'dist', ...p);
const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
/** What a page fetches to use one locale: its file and the chunks it imports (Intl helpers, the registry). */
function withChunks(file: string, seen = new Set<string>()): Set<string> {
  seen.add(file);
  for (const [, dep] of readFileSync(dist('locales', file), 'utf8').matchAll(/from\s*"\.\/([\w.-]+\.js)"/g))
    if (!seen.has(dep)) withChunks(dep, seen);
  return seen;
}

test('each locale is its own file in dist/locales, under 1 KB min+gzip, under 2 KB with what it imports', () => {
  assert.ok(locales.length >= 12, `only ${locales.length} locales`);
  for (const tag of locales) {
    const file = dist('locales', `${tag}.js`);
    assert.ok(existsSync(file), `dist/locales/${tag}.js missing`);
    assert.ok(existsSync(dist('element/locales', `${tag}.d.ts`)), `types for ${tag} missing`);
    assert.ok(gz(file) <= 1024, `dist/locales/${tag}.js is ${gz(file)} B gzipped`);
    const total = [...withChunks(`${tag}.js`)].reduce((sum, f) => sum + gz(dist('locales', f)), 0);
    assert.ok(total <= 2048, `${tag} with its chunks is ${total} B gzipped`);
  }
});

test('no locale is in the script-tag bundle or its chunks, nor imported by them', () => {
  const files = readdirSync(dist()).filter((f) => /^resumable-upload.*\.js$/.test(f));
  for (const file of files) {
    const code = readFileSync(dist(file), 'utf8');
    assert.doesNotMatch(code, /locales\//, `${file} refers to a locale file`);
    for (const word of ['Pausieren', 'Suspendre', '一時停止', 'إيقاف مؤقت', 'השהיה', 'Wstrzymaj'])
      assert.ok(!code.includes(word), `${file} carries the translation "${word}"`);
  }
});

test('resumable-upload/locales/<tag> and resumable-upload/locales resolve to dist/locales, with types', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.deepEqual(pkg.exports['./locales/*'], {
    types: './dist/element/locales/*.d.ts',
    default: './dist/locales/*.js',
  });
  // The package resolves its own name through "exports", as a user's bundler or Node would.
  assert.equal(fileURLToPath(import.meta.resolve('resumable-upload/locales/de')), dist('locales/de.js'));
  assert.equal(fileURLToPath(import.meta.resolve('resumable-upload/locales')), dist('locales/index.js'));
  assert.ok(pkg.sideEffects.includes('./dist/locales/*.js'), 'a bundler would drop `import "…/locales/de"`');
});

test('a locale imports in plain Node (server rendering) and registers itself on the shared registry', async () => {
  // Through a variable: the type checker must not need dist/ to exist.
  const specifier = 'resumable-upload/locales/de';
  const { de } = (await import(specifier)) as { de: typeof German };
  assert.equal(de.pause, 'Pausieren');
  const registry = (globalThis as Record<symbol, { locales: Map<string, unknown> }>)[
    Symbol.for('resumable-upload.locales')
  ];
  assert.equal(registry.locales.get('de'), de);
});

/** Serves dist/ under /cdn/, a page, and the status-upload pair: status says 0, uploads are held. */
async function serve(page: string, requested: string[], held: ServerResponse[]) {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requested.push(path);
    if (path === '/') return res.setHeader('Content-Type', 'text/html').end(page);
    if (path === '/status') return res.end('0');
    if (path === '/upload') return void req.resume().on('end', () => held.push(res));
    const file = path.startsWith('/cdn/') ? dist(path.slice(5)) : '';
    if (!/\.js$/.test(file) || !existsSync(file)) return res.writeHead(404).end();
    res.setHeader('Content-Type', 'text/javascript').end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

test('a script-tag page loads one locale from dist/locales, and its row mirrors under dir=rtl (pixels of the bar)', async () => {
  const requested: string[] = [];
  const held: ServerResponse[] = [];
  const server = await serve(
    '<!doctype html><html lang="ar" dir="rtl"><body style="margin:0;width:400px">' +
      '<script type="module" src="/cdn/resumable-upload.js"></script>' +
      '<script type="module" src="/cdn/locales/ar.js"></script>' +
      '<resumable-upload status-url="/status" upload-url="/upload" chunk-size="400"></resumable-upload>',
    requested,
    held,
  );
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  try {
    const page = await browser.newPage({ colorScheme: 'light' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const drop = page.locator('resumable-upload [part~=drop-zone]');
    await page.waitForFunction(() =>
      document.querySelector('resumable-upload')?.shadowRoot?.textContent?.includes('أفلت الملفات'),
    );
    assert.equal((await drop.textContent())?.trim(), 'أفلت الملفات هنا أو انقر للاختيار');
    await page.evaluate(() => {
      const el = document.querySelector('resumable-upload') as HTMLElement & { addFiles(f: File[]): void };
      el.addFiles([new File([new Uint8Array(1000)], 'report.pdf')]);
    });
    const bar = page.locator('resumable-upload [part~=progress]');
    await page.waitForFunction(
      () =>
        document
          .querySelector('resumable-upload')
          ?.shadowRoot?.querySelector('[part~=progress]')
          ?.getAttribute('aria-valuenow') === '40',
    );
    const colors = await sampleBar(page, (await bar.screenshot()).toString('base64'));
    // Track #e5e7eb on the left 60 %, accent #1d4ed8 on the right 40 %.
    const near = (c: number[], rgb: number[]) => c.every((v, i) => Math.abs(v - rgb[i]) <= 8);
    assert.ok(near(colors[0.1], [0xe5, 0xe7, 0xeb]), `left of the bar is ${colors[0.1]}`);
    assert.ok(near(colors[0.5], [0xe5, 0xe7, 0xeb]), `middle of the bar is ${colors[0.5]}`);
    assert.ok(near(colors[0.7], [0x1d, 0x4e, 0xd8]), `right of the bar is ${colors[0.7]}`);
    assert.ok(near(colors[0.9], [0x1d, 0x4e, 0xd8]), `right of the bar is ${colors[0.9]}`);
    assert.deepEqual(errors, []);
    const localeFiles = requested.filter((p) => p.startsWith('/cdn/locales/'));
    assert.ok(localeFiles.includes('/cdn/locales/ar.js'));
    assert.ok(!localeFiles.some((p) => /\/(de|he|ja|index)\.js$/.test(p)), `fetched ${localeFiles}`);
  } finally {
    await browser.close();
    for (const res of held) res.destroy();
    server.closeAllConnections();
    server.close();
  }
});

/** The colour at 10 %, 50 %, 70 % and 90 % across the middle line of a PNG, decoded by the page itself. */
function sampleBar(page: Page, png: string): Promise<Record<number, number[]>> {
  return page.evaluate(async (data) => {
    const img = new Image();
    img.src = `data:image/png;base64,${data}`;
    await img.decode();
    const canvas = Object.assign(document.createElement('canvas'), { width: img.width, height: img.height });
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    // No named functions in here: tsx would wrap them in a helper the page does not have.
    const colors: Record<number, number[]> = {};
    for (const x of [0.1, 0.5, 0.7, 0.9])
      colors[x] = [...ctx.getImageData(Math.floor(x * img.width), img.height >> 1, 1, 1).data.slice(0, 3)];
    return colors;
  }, png);
}
