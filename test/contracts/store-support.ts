// Shared by the UploadStore contract's sections: the fixture a store provides, and bodies the tests feed it.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import type { TestContext } from 'node:test';
import type {
  AppendOptions,
  AppendResult,
  UploadRecord,
  UploadState,
  UploadStore,
} from '../../src/server/stores/types.js';
import { waitFor } from '../server/helpers.js';

export interface StoreFixture {
  /** A store over fresh, empty storage; the suite calls `init()` itself. */
  store: UploadStore;
  /** The bytes of a completed upload, read the way a user of `StoredLocation` would. */
  read(key: string): Promise<Buffer>;
  /** Another store over the same storage, as after a restart (nothing may live only in memory). */
  reopen(): Promise<UploadStore>;
  /** Milliseconds two `lastModified` values must be apart to differ (S3 keeps whole seconds). @default 20 */
  lastModifiedResolution?: number;
  cleanup(): Promise<void>;
}

/** Keys as the service makes them: 64 lowercase hex digits. */
export const newKey = (): string => randomBytes(32).toString('hex');

export const recordOf = (size: number | null, extra: Partial<UploadRecord> = {}): UploadRecord => ({
  owner: 'alice',
  id: `file-${randomBytes(4).toString('hex')}`,
  size,
  createdAt: new Date().toISOString(),
  ...extra,
});

/** A body that ends by itself, in chunks of `chunk` bytes. */
export const bodyOf = (data: Buffer, chunk = 16 * 1024): Readable => {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += chunk) chunks.push(data.subarray(at, at + chunk));
  return Readable.from(chunks, { objectMode: false });
};

export const digestOf = (data: Buffer) => ({
  algorithm: 'sha256',
  value: createHash('sha256').update(data).digest(),
});

/** The state's promised fields only, so a store may say more (e.g. a completed upload's metadata). */
export const stateOf = ({ record, offset, complete }: UploadState): UploadState => ({
  record,
  offset,
  complete: complete && { size: complete.size, notified: complete.notified },
});

export const EMPTY: UploadState = { record: null, offset: 0, complete: null };

/** What a body's hooks reported, in order. */
export interface Heard {
  durable: number[];
  activity: number;
  ended: number;
  /** Hooks that fired after onEnded (only the closing write should remain by then). */
  afterEnd: string[];
}

/** A body the test feeds by hand, one chunk at a time, knowing when the store has taken each. */
export interface Feed {
  body: PassThrough;
  heard: Heard;
  result: Promise<AppendResult>;
  /** Writes `chunk` and waits until the store has received it. */
  send(chunk: Buffer): Promise<void>;
}

export function withHooks(options: Omit<AppendOptions, 'onActivity' | 'onDurable' | 'onEnded'>) {
  const heard: Heard = { durable: [], activity: 0, ended: 0, afterEnd: [] };
  const full: AppendOptions = {
    ...options,
    onActivity: () => {
      heard.activity++;
      if (heard.ended) heard.afterEnd.push('onActivity');
    },
    onDurable: (offset) => {
      heard.durable.push(offset);
      if (heard.ended) heard.afterEnd.push(`onDurable(${offset})`);
    },
    onEnded: () => {
      heard.ended++;
    },
  };
  return { heard, options: full };
}

/** A fresh, initialized store, cleaned up when the test ends. */
export type Setup = (t: TestContext) => Promise<StoreFixture>;

export function setupWith(make: () => Promise<StoreFixture>): Setup {
  return async (t) => {
    const fixture = await make();
    t.after(() => fixture.cleanup());
    await fixture.store.init();
    return fixture;
  };
}

/** An incomplete upload with a record and, when given, these bytes stored. */
export async function created(store: UploadStore, size: number | null, data?: Buffer): Promise<string> {
  const key = newKey();
  await store.writeRecord(key, recordOf(size));
  if (data) {
    const result = await store.append(key, bodyOf(data), {
      start: 0,
      limit: Infinity,
      idleTimeout: 5000,
    });
    assert.deepEqual(result, { end: 'end', written: data.length });
  }
  return key;
}

export function feed(store: UploadStore, key: string, options: Omit<AppendOptions, 'onActivity'>): Feed {
  const body = new PassThrough();
  const hooked = withHooks(options);
  let taken = 0;
  const result = store.append(key, body, {
    ...hooked.options,
    onActivity: () => {
      taken++;
      hooked.options.onActivity!();
    },
  });
  const { heard } = hooked;
  return {
    body,
    heard,
    result,
    async send(chunk) {
      const before = taken;
      body.write(chunk);
      await waitFor('the store to take a chunk', async () => (taken > before ? true : undefined));
    },
  };
}
