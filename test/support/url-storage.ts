// A Storage stand-in for the protocols' upload-URL memory: one per test, readable by the test.
import type { UrlStorage } from '../../src/engine/index.js';

export class MemoryStorage implements UrlStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  /** The remembered entries, parsed. */
  entries(): { key: string; url: string; createdAt: number; expiresAt: number }[] {
    return [...this.items].map(([key, raw]) => ({ key, ...JSON.parse(raw) }));
  }
}

/** Storage that fails every call, as in private mode or over quota. */
export const brokenStorage: UrlStorage = {
  getItem: () => {
    throw new DOMException('denied', 'SecurityError');
  },
  setItem: () => {
    throw new DOMException('full', 'QuotaExceededError');
  },
  removeItem: () => {
    throw new DOMException('denied', 'SecurityError');
  },
};
