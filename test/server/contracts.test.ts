// The shipped store and locker against their contracts, plus what only the file store must promise.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { MemoryLocker } from '../../src/server/locks/memory.js';
import { UploadService } from '../../src/server/service.js';
import { FileStore } from '../../src/server/stores/file/store.js';
import { lockerContract } from '../contracts/locker.js';
import { storeContract } from '../contracts/store.js';
import { randomData } from './helpers.js';
import { QUIET_SERVICE } from './support-service.js';

storeContract('FileStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ru-store-'));
  const store = new FileStore(dir);
  return {
    store,
    read: (key) => readFile(store.completePath(key)),
    reopen: async () => new FileStore(dir),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

lockerContract('MemoryLocker', async () => ({ locker: new MemoryLocker(), cleanup: async () => undefined }));

describe('FileStore: ids never become paths', () => {
  test('hostile ids are stored under 64-hex names inside the store folder, and nothing outside it', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'ru-paths-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    const dir = join(root, 'store');
    const service = new UploadService(
      {
        maxSize: 1 << 20,
        ...QUIET_SERVICE,
      },
      new FileStore(dir),
      new MemoryLocker(),
    );
    await service.ready;
    const ids = ['../../escape', '/etc/passwd', '..\\..\\win', 'a/b/c', '.', '', 'x\0y', '%2e%2e%2fup'];
    for (const [n, id] of ids.entries()) {
      const owner = n % 2 ? '../owner' : 'alice';
      const key = service.key(owner, id);
      const data = randomData(100);
      const body = new PassThrough();
      body.end(data);
      const size = n === 0 ? 200 : 100; // the first stays incomplete, with its record in the folder
      await service.append(key, { start: 0, body, size, create: { owner, id }, sizeName: 'size' });
    }
    assert.equal((await service.find(service.key('alice', ids[0]!))).record?.id, ids[0]);
    const entries = await readdir(root, { recursive: true });
    const files = entries.map((name) => relative(root, join(root, name)).split(sep).join('/'));
    for (const file of files) {
      assert.match(file, /^store(\/(partial|complete)(\/[0-9a-f]{64}(\.json)?)?)?$/, `unexpected ${file}`);
    }
    assert.equal(files.filter((f) => /complete\/[0-9a-f]{64}$/.test(f)).length, ids.length - 1);
    await service.close();
  });
});
