// Shared by the element tests: files, the sink's URLs, a log of the XHRs the element sends, and cleanup.
import { fixture } from '@open-wc/testing';
import type { TemplateResult } from 'lit';
import sinon from 'sinon';
import { encodeHeaderValue } from '../../src/engine/index.js';
import type { ResumableUpload } from '../../src/element/resumable-upload.js';
import '../../src/element/define.js';

/** The wtr server's in-memory upload sink (test/support/wtr-handlers.mjs). */
export const STATUS = '/__sink/status';
export const UPLOAD = '/__sink/upload';

let serial = 0;

/** A file of random bytes; its lastModified is unique, so its default id never meets another test's. */
export function makeFile(size: number, name = 'report.pdf', type = ''): File {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
  return new File([bytes], name, { type, lastModified: Date.now() * 1000 + ++serial });
}

export async function sha256(data: Blob): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await data.arrayBuffer()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The sha256 of what the sink stored under a file id. */
export async function storedSha256(fileId: string): Promise<string> {
  const res = await fetch('/__sink/sha256', { headers: { 'X-File-Id': encodeHeaderValue(fileId) } });
  return res.text();
}

const mounted: ResumableUpload[] = [];

/** fixture(), remembered so afterEach stops its uploads. */
export async function mount(template: TemplateResult): Promise<ResumableUpload> {
  const root = await fixture<HTMLElement>(template);
  const el =
    root.localName === 'resumable-upload'
      ? (root as ResumableUpload)
      : root.querySelector('resumable-upload')!;
  mounted.push(el);
  return el;
}

afterEach(async () => {
  for (const el of mounted.splice(0)) el.clear();
  sinon.restore();
  // Answers whatever upload a test left held.
  await fetch('/__sink/release');
});

/**
 * Fake timers and Date, from now on, while XHR stays real: the engine's sleeps, the element's countdown and
 * its render throttle run on the fake clock, requests to the sink do not wait for it.
 */
export function fakeClock(): sinon.SinonFakeTimers {
  return sinon.useFakeTimers({ now: Date.now(), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
}

/** Picks files through the shadow root's real file input, as the browser's picker would. */
export function pick(el: ResumableUpload, files: File[]): void {
  const input = el.shadowRoot!.querySelector('input[type=file]') as HTMLInputElement;
  const dt = new DataTransfer();
  for (const f of files) dt.items.add(f);
  input.files = dt.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

export function part<T extends Element = HTMLElement>(el: ResumableUpload, name: string): T {
  const found = el.shadowRoot!.querySelector<T>(`[part~="${name}"]`);
  if (!found) throw new Error(`No part ${name}`);
  return found;
}

export function parts(el: ResumableUpload, name: string): HTMLElement[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>(`[part~="${name}"]`)];
}

export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  withCredentials: boolean;
  bodySize: number;
}

/** Records every XMLHttpRequest sent until sinon.restore(). */
export function recordRequests(): SentRequest[] {
  const sent: SentRequest[] = [];
  const pending = new WeakMap<XMLHttpRequest, SentRequest>();
  const proto = XMLHttpRequest.prototype;
  const { open, setRequestHeader, send } = proto;
  sinon.replace(proto, 'open', function (this: XMLHttpRequest, method: string, url: string | URL) {
    pending.set(this, { method, url: String(url), headers: {}, withCredentials: false, bodySize: 0 });
    return open.call(this, method, url, true);
  } as typeof proto.open);
  sinon.replace(proto, 'setRequestHeader', function (this: XMLHttpRequest, name: string, value: string) {
    pending.get(this)!.headers[name.toLowerCase()] = value;
    return setRequestHeader.call(this, name, value);
  });
  sinon.replace(
    proto,
    'send',
    function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
      const req = pending.get(this)!;
      req.withCredentials = this.withCredentials;
      req.bodySize = body instanceof Blob ? body.size : 0;
      sent.push(req);
      return send.call(this, body);
    },
  );
  return sent;
}

/** Resolves with the events of `types` fired on `target` until `until` fires (included). */
export function collectEvents(target: EventTarget, types: string[], until: string): Promise<CustomEvent[]> {
  const seen: CustomEvent[] = [];
  return new Promise((resolve) => {
    const onEvent = (e: Event) => {
      seen.push(e as CustomEvent);
      if (e.type !== until) return;
      for (const t of types) target.removeEventListener(t, onEvent);
      resolve(seen);
    };
    for (const t of types) target.addEventListener(t, onEvent);
  });
}
