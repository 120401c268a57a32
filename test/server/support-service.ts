// What the UploadService suites share: a service over the file store and the in-process locker (no
// HTTP), appends as a protocol makes them, and the problem a refused call must end in.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { TestContext } from 'node:test';
import type { CompletedUpload } from '../../src/server/options.js';
import { MemoryLocker } from '../../src/server/locks/memory.js';
import { UploadProblem, UploadService } from '../../src/server/service.js';
import type { AppendRequest, ProblemCode, ServiceConfig } from '../../src/server/service.js';
import { FileStore } from '../../src/server/stores/file/store.js';
import type { UploadState } from '../../src/server/stores/types.js';

const MAX = 1024 * 1024;

/** A service with no timers of its own and no waiting for locks: what these suites build theirs on. */
export const QUIET_SERVICE = {
  expireAfter: Infinity,
  sweepInterval: 0,
  idleTimeout: 5000,
  lockWait: 0,
  takeoverAfter: Infinity,
  syncInterval: 0,
} satisfies Partial<ServiceConfig>;

export interface Rig {
  service: UploadService;
  store: FileStore;
  /** Every onComplete call, in order (also the ones that threw). */
  completed: CompletedUpload[];
}

export async function rig(t: TestContext, config: Partial<ServiceConfig> = {}): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'ru-service-'));
  const completed: CompletedUpload[] = [];
  const store = new FileStore(dir);
  const onComplete = config.onComplete;
  const service = new UploadService(
    {
      maxSize: MAX,
      ...QUIET_SERVICE,
      ...config,
      onComplete: async (info) => {
        completed.push(info);
        await onComplete?.(info);
      },
    },
    store,
    new MemoryLocker(),
  );
  t.after(async () => {
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });
  await service.ready;
  return { service, store, completed };
}

/** Where completion stands: size and whether onComplete succeeded. */
export const completion = ({ complete }: UploadState) =>
  complete && { size: complete.size, notified: complete.notified };

const bodyOf = (data: Buffer): PassThrough => new PassThrough().end(data);

/** An append as a protocol would make it: the body's length known, the size stated. */
export function request(start: number, data: Buffer, more: Partial<AppendRequest> = {}): AppendRequest {
  return { start, body: bodyOf(data), bodyLength: data.length, sizeName: 'Upload-Length', ...more };
}

export async function refused(
  promise: Promise<unknown>,
  code: ProblemCode,
  offset?: number,
): Promise<UploadProblem> {
  const err = await promise.then(
    () => assert.fail(`expected ${code}, but it succeeded`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof UploadProblem, `not an UploadProblem: ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.equal(err.offset, offset, `offset of ${code}`);
  return err;
}

/** A tus-style upload: created with a record, then appended to. */
export async function created(service: UploadService, id: string, size: number | null, owner = 'alice') {
  const key = service.key(owner, id);
  await service.create(key, { owner, id, size });
  return key;
}
