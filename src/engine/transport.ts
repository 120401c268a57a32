import { UploadError } from './errors.js';
import type { Transport, TransportRequest, TransportResponse } from './wire.js';

export type { Transport, TransportRequest, TransportResponse } from './wire.js';

/** Upload progress is passed on at most this often (ms). */
const PROGRESS_MS = 25;

/** XMLHttpRequest sender: the only browser API with upload progress. */
export class XhrTransport implements Transport {
  send(req: TransportRequest): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      if (req.signal.aborted) return reject(req.signal.reason);
      const xhr = new XMLHttpRequest();
      let stallTimer: ReturnType<typeof setTimeout> | undefined;
      let done = false;
      const finish = () => {
        done = true;
        clearTimeout(stallTimer);
        req.signal.removeEventListener('abort', onAbort);
      };
      const fail = (err: unknown) => {
        finish();
        xhr.onload = xhr.onerror = xhr.onabort = null;
        xhr.abort();
        reject(err);
      };
      let armed = 0;
      const armStall = () => {
        clearTimeout(stallTimer);
        const generation = ++armed;
        if (req.stallTimeout > 0)
          stallTimer = setTimeout(async () => {
            const moving = req.stillMoving ? await req.stillMoving() : false;
            // Progress re-armed the timer (or the request settled) while the server was asked.
            if (generation !== armed || done) return;
            if (moving) armStall();
            else fail(new UploadError('stall', `No progress for ${req.stallTimeout} ms`));
          }, req.stallTimeout);
      };
      const onAbort = () => fail(req.signal.reason);
      req.signal.addEventListener('abort', onAbort);
      openXhr(xhr, req, armStall);
      xhr.onload = () => {
        finish();
        resolve({
          status: xhr.status,
          body: xhr.responseText,
          header: (name) => xhr.getResponseHeader(name),
        });
      };
      xhr.onerror = () => {
        finish();
        reject(new UploadError('network', `Network error on ${req.method} ${req.url}`));
      };
      armStall();
      xhr.send(req.body ?? null);
    });
  }
}

/** Opens `xhr` for `req`, headers set; its progress, up and down, calls `moved`. */
function openXhr(xhr: XMLHttpRequest, req: TransportRequest, moved: () => void): void {
  xhr.open(req.method, req.url, true);
  xhr.withCredentials = req.withCredentials;
  for (const [k, v] of Object.entries(req.headers)) xhr.setRequestHeader(k, v);
  if (req.body) {
    let told = -Infinity;
    xhr.upload.onprogress = (e) => {
      // WebKit fires one per 8 KiB (8,192 per 64 MiB), Chromium one per ~50 ms: pass on at most one
      // per PROGRESS_MS (and the last), so the path costs the same in every engine (README, engines).
      const now = performance.now();
      if (now - told < PROGRESS_MS && e.loaded < e.total) return;
      told = now;
      moved();
      req.onProgress?.(e.loaded);
    };
  }
  xhr.onprogress = moved;
}
