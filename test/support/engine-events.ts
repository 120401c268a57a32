// Records an Uploader's events and waits for them in real time (the clock may be faked).
import type { UploadEventDetailMap, UploadEventName, Uploader, UploadItem } from '../../src/engine/index.js';
import { UPLOAD_EVENT_NAMES } from '../../src/engine/index.js';

const realSetTimeout = globalThis.setTimeout.bind(globalThis);
const realClearTimeout = globalThis.clearTimeout.bind(globalThis);

export interface Recorded<K extends UploadEventName = UploadEventName> {
  type: K;
  detail: UploadEventDetailMap[K];
}

export class EventLog {
  readonly events: Recorded[] = [];
  private readonly waiters: { type: UploadEventName; resolve: (r: Recorded) => void }[] = [];

  constructor(readonly uploader: Uploader) {
    for (const type of UPLOAD_EVENT_NAMES) {
      uploader.addEventListener(type, (e: Event) => {
        const recorded = { type, detail: (e as CustomEvent).detail } as Recorded;
        this.events.push(recorded);
        for (const w of this.waiters.filter((x) => x.type === type)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(recorded);
        }
      });
    }
  }

  /** Event names in order, without upload-progress (which varies with timing). */
  types(): string[] {
    return this.events.filter((e) => e.type !== 'upload-progress').map((e) => e.type);
  }

  of<K extends UploadEventName>(type: K): UploadEventDetailMap[K][] {
    return this.events.filter((e) => e.type === type).map((e) => e.detail as UploadEventDetailMap[K]);
  }

  /** The next `type` event from now on, or an error naming where the upload is stuck. */
  next<K extends UploadEventName>(type: K, timeoutMs = 3000): Promise<UploadEventDetailMap[K]> {
    return new Promise((resolve, reject) => {
      const waiter = {
        type,
        resolve: (r: Recorded) => {
          realClearTimeout(timer);
          resolve(r.detail as UploadEventDetailMap[K]);
        },
      };
      const timer = realSetTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        const states = this.uploader.items.map((i) => `${i.fileId}: ${i.status}`).join(', ');
        reject(
          new Error(
            `No ${type} within ${timeoutMs} ms; items: ${states || 'none'}; events: ${this.types().join(' ')}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The n-th (1-based) `type` event: already recorded, or awaited. */
  async nth<K extends UploadEventName>(
    type: K,
    n: number,
    timeoutMs = 3000,
  ): Promise<UploadEventDetailMap[K]> {
    for (;;) {
      const seen = this.of(type);
      if (seen.length >= n) return seen[n - 1];
      await this.next(type, timeoutMs);
    }
  }

  first<K extends UploadEventName>(type: K, timeoutMs = 3000): Promise<UploadEventDetailMap[K]> {
    return this.nth(type, 1, timeoutMs);
  }
}

/** The only item of an uploader given one file. */
export function onlyItem(uploader: Uploader): UploadItem {
  const [item] = uploader.items;
  if (!item) throw new Error('The uploader holds no item');
  return item;
}

/** Replaces navigator.onLine until the returned function restores it. */
export function stubOnLine(initial: boolean): { set(online: boolean): void; restore(): void } {
  let online = initial;
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
  return {
    set(value: boolean) {
      online = value;
      window.dispatchEvent(new Event(value ? 'online' : 'offline'));
    },
    restore() {
      delete (navigator as { onLine?: boolean }).onLine;
    },
  };
}
