// Upload URLs remembered per endpoint and file id (tus-js-client's fingerprint and URL storage), so a
// reload and a pick of the same file resumes. Every storage failure means no memory, silently.
import type { UrlStorage } from './options.js';

const PREFIX = 'resumable-upload:';
const DAY = 24 * 60 * 60 * 1000;

/** One remembered upload. */
export interface Remembered {
  url: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms after which the URL is not used. */
  expiresAt: number;
}

function defaultStorage(): UrlStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Reading localStorage itself throws where storage is blocked.
    return null;
  }
}

export class UrlMemory {
  private readonly storage: UrlStorage | null;

  constructor(
    private readonly key: string,
    storage: UrlStorage | null | undefined,
    private readonly maxAge = DAY,
  ) {
    this.storage = storage === undefined ? defaultStorage() : storage;
  }

  /** The remembered URL, unless it expired (then it is forgotten). */
  recall(): string | null {
    try {
      const raw = this.storage?.getItem(PREFIX + this.key);
      if (!raw) return null;
      const entry = JSON.parse(raw) as Partial<Remembered>;
      if (
        typeof entry.url === 'string' &&
        typeof entry.expiresAt === 'number' &&
        entry.expiresAt > Date.now()
      )
        return entry.url;
      this.forget();
    } catch {
      // Unreadable: as good as none.
    }
    return null;
  }

  /** Remembers `url` until `expires` (an HTTP date the server gave) or `maxAge` from now. */
  remember(url: string, expires: string | null = null): void {
    const now = Date.now();
    const until = expires ? Date.parse(expires) : NaN;
    const entry: Remembered = {
      url,
      createdAt: now,
      expiresAt: Number.isNaN(until) ? now + this.maxAge : until,
    };
    try {
      this.storage?.setItem(PREFIX + this.key, JSON.stringify(entry));
    } catch {
      // Quota or private mode.
    }
  }

  /** Moves the expiry when the server names a new one. */
  renew(url: string, expires: string | null): void {
    if (expires) this.remember(url, expires);
  }

  forget(): void {
    try {
      this.storage?.removeItem(PREFIX + this.key);
    } catch {
      // Nothing to do.
    }
  }
}

/** The key of one file's upload: protocol, absolute endpoint and file id. */
export const memoryKey = (protocol: string, endpoint: string, fileId: string): string =>
  `${protocol}:${endpoint}:${fileId}`;

/** `url` resolved against the page, as a base for relative `Location`s. */
export const absolute = (url: string, base?: string): string =>
  new URL(url, base ?? globalThis.location?.href).href;
