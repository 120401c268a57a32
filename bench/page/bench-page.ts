// Runs inside the bench page; bundled by esbuild to bench/out/www/bench-page.js.
// The uploaders are loaded from what the server serves: /resumable-upload.js (ours) and /tus.js.
import type { Uploader, UploaderOptions } from '../../src/engine/index.js';
import type * as Tus from 'tus-js-client';

export interface PageResult {
  ms: number;
  /** When the upload was started (the pick), epoch ms: to line up with other processes' clocks. */
  startedAt: number;
  bytes: number;
  heapBase: number;
  heapPeak: number;
  progressEvents: number;
  retries: number;
  errors: string[];
  /** Per XHR, only when `trace` is set: [method, url, send, bodySent, loaded] in page ms. */
  trace?: [string, string, number, number, number][];
}

interface EngineModule {
  Uploader: new (options: Partial<UploaderOptions>) => Uploader;
}

const input = () => document.querySelector<HTMLInputElement>('#file')!;
const files = (indices: number[]) => indices.map((i) => input().files![i]);
const heap = () => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;

/** Samples the JS heap while `fn` runs; --enable-precise-memory-info makes the numbers exact. */
async function measured(fn: (r: PageResult) => Promise<number>, trace: boolean): Promise<PageResult> {
  const r: PageResult = {
    ms: 0,
    startedAt: 0,
    bytes: 0,
    heapBase: heap(),
    heapPeak: heap(),
    progressEvents: 0,
    retries: 0,
    errors: [],
  };
  const timer = setInterval(() => (r.heapPeak = Math.max(r.heapPeak, heap())), 25);
  const restore = trace ? traceXhr((r.trace = [])) : () => {};
  const t0 = performance.now();
  r.startedAt = Date.now();
  try {
    r.bytes = await fn(r);
  } catch (err) {
    r.errors.push(String(err));
  }
  r.ms = performance.now() - t0;
  clearInterval(timer);
  restore();
  r.heapPeak = Math.max(r.heapPeak, heap());
  return r;
}

/** Diagnostic runs only: timestamps each XHR's send, last body byte and response, without touching the engine. */
function traceXhr(out: NonNullable<PageResult['trace']>): () => void {
  const proto = XMLHttpRequest.prototype;
  const { open, send } = proto;
  const meta = new WeakMap<XMLHttpRequest, [string, string]>();
  proto.open = function (this: XMLHttpRequest, method: string, url: string | URL, ...rest: unknown[]) {
    meta.set(this, [method, String(url)]);
    return (open as (...a: unknown[]) => void).call(this, method, url, ...rest);
  } as typeof proto.open;
  proto.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    const row: [string, string, number, number, number] = [
      ...(meta.get(this) ?? ['?', '?']),
      performance.now(),
      0,
      0,
    ];
    out.push(row);
    if (body) this.upload.addEventListener('load', () => (row[3] = performance.now()));
    // readystatechange(4) comes before load, so even the last answer is stamped before the engine resolves.
    this.addEventListener('readystatechange', () => {
      if (this.readyState === 4) row[4] = performance.now();
    });
    return send.call(this, body);
  };
  return () => Object.assign(proto, { open, send });
}

function raw(opts: {
  url: string;
  index: number;
  progress?: boolean;
  slice?: boolean;
  /** Send bytes [from, size) of the file, as a resume does: a sliced Blob, or with `buffer` its bytes read first. */
  from?: number;
  buffer?: boolean;
  trace?: boolean;
}): Promise<PageResult> {
  return measured(
    (r) =>
      new Promise<number>((resolve, reject) => {
        const file = files([opts.index])[0];
        const rest = opts.from ? file.slice(opts.from) : file;
        const xhr = new XMLHttpRequest();
        xhr.open('POST', opts.url);
        xhr.onload = () =>
          xhr.status === 200 && Number(xhr.responseText) === rest.size
            ? resolve(rest.size)
            : reject(new Error(`raw POST answered ${xhr.status} ${xhr.responseText.slice(0, 80)}`));
        xhr.onerror = () => reject(new Error('raw POST network error'));
        // What every uploader with a progress bar does; Chromium then reports upload progress to the page.
        if (opts.progress) xhr.upload.onprogress = () => r.progressEvents++;
        // A Blob from slice() loses the File's path: Chromium then streams it through the blob system.
        if (opts.buffer) void rest.arrayBuffer().then((b) => xhr.send(b), reject);
        else xhr.send(opts.slice ? rest.slice(0, rest.size) : rest);
      }),
    opts.trace ?? false,
  );
}

async function ours(opts: {
  chunkSize: number;
  indices: number[];
  concurrency: number;
  idPrefix: string;
  trace?: boolean;
}): Promise<PageResult> {
  const { Uploader } = (await import('/resumable-upload.js' as string)) as EngineModule;
  const list = files(opts.indices);
  return measured(
    (r) =>
      new Promise<number>((resolve, reject) => {
        const up = new Uploader({
          chunkSize: opts.chunkSize,
          concurrency: opts.concurrency,
          statusUrl: '/status',
          uploadUrl: '/upload',
          fileId: (f: File) => `${opts.idPrefix}-${f.name}`,
        });
        let done = 0;
        up.addEventListener('upload-progress', () => r.progressEvents++);
        up.addEventListener('upload-retry', (e) => {
          r.retries++;
          r.errors.push(`retry: ${e.detail.error.message}`);
        });
        up.addEventListener('upload-error', (e) => reject(e.detail.error));
        up.addEventListener('upload-complete', () => {
          if (++done === list.length) resolve(list.reduce((n, f) => n + f.size, 0));
        });
        up.add(list);
      }),
    opts.trace ?? false,
  );
}

/**
 * The element as a page would use it: attributes, then files as if picked; it renders every event. With a
 * `protocol` (tus, ietf), it creates uploads at `/files/` instead of the status and upload URLs.
 */
async function element(opts: {
  chunkSize: number;
  index: number;
  idPrefix: string;
  protocol?: 'tus' | 'ietf';
  integrity?: boolean;
}): Promise<PageResult> {
  await import('/resumable-upload.js' as string);
  const file = files([opts.index])[0];
  const el = document.createElement('resumable-upload') as HTMLElement & {
    fileId: (f: File) => string;
    addFiles(files: File[]): unknown;
  };
  if (opts.protocol) {
    el.setAttribute('protocol', opts.protocol);
    el.setAttribute('endpoint', '/files/');
  } else {
    el.setAttribute('status-url', '/status');
    el.setAttribute('upload-url', '/upload');
  }
  el.setAttribute('chunk-size', String(opts.chunkSize));
  if (opts.integrity) el.setAttribute('integrity', '');
  el.fileId = (f) => `${opts.idPrefix}-${f.name}`;
  document.body.append(el);
  await customElements.whenDefined('resumable-upload');
  // On a page the element is on screen before a file is picked: its first render and paint are not the upload's,
  // nor are the chunks it starts loading as it is created (the protocol's, tabs.ts): a user picks a file
  // seconds later. Importing each of them again resolves once it has run.
  await (el as unknown as { updateComplete: Promise<unknown> }).updateComplete;
  const chunks = () =>
    performance
      .getEntriesByType('resource')
      .map((e) => e.name)
      .filter((name) => /\/resumable-upload-[^/]+\.js$/.test(name));
  const wanted = [/-(status-upload|tus|ietf)-/, ...('locks' in navigator ? [/-tabs-/] : [])];
  for (let frame = 0; frame < 120 && !wanted.every((re) => chunks().some((n) => re.test(n))); frame++)
    await new Promise((r) => requestAnimationFrame(r));
  for (const name of chunks()) await import(name);
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
  try {
    return await measured(
      (r) =>
        new Promise<number>((resolve, reject) => {
          el.addEventListener('upload-progress', () => r.progressEvents++);
          el.addEventListener('upload-error', (e) =>
            reject((e as CustomEvent<{ error: Error }>).detail.error),
          );
          el.addEventListener('upload-complete', () => resolve(file.size));
          el.addFiles([file]);
        }),
      false,
    );
  } finally {
    el.remove();
  }
}

async function tus(opts: { index: number; chunkSize?: number }): Promise<PageResult> {
  const mod = (await import('/tus.js' as string)) as typeof Tus;
  const file = files([opts.index])[0];
  return measured(
    (r) =>
      new Promise<number>((resolve, reject) => {
        const upload = new mod.Upload(file, {
          endpoint: '/files/',
          chunkSize: opts.chunkSize ?? Infinity,
          retryDelays: [0, 1000, 3000, 5000],
          storeFingerprintForResuming: false,
          metadata: { filename: file.name },
          onProgress: () => r.progressEvents++,
          onError: reject,
          onSuccess: () => resolve(file.size),
        });
        upload.start();
      }),
    false,
  );
}

Object.assign(globalThis, { bench: { raw, ours, element, tus } });
document.title = 'ready';
