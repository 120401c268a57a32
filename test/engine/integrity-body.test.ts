// With `integrity` the page sends the bytes the integrity worker read instead of the file's slice (which
// Chromium would read again): against the real sink of the test server (test/support/wtr-handlers.mjs),
// every body is byte-identical to its slice and the stored file is the source. What the page posts to the
// workers keeps its memory flat: the body worker reads at most one body ahead of the one being sent, each
// sent body is moved (not copied) to the file worker after its request, and a file worker that answers
// nothing is handed at most two bodies (it reads the others itself).
import { expect } from '@open-wc/testing';
import { Uploader, XhrTransport } from '../../src/engine/index.js';
import type { Transport, TransportRequest, UploaderOptions } from '../../src/engine/index.js';
import type { WorkerRequest } from '../../src/engine/integrity/worker.js';
import { EventLog } from '../support/engine-events.js';
import { makeFile, sha256Hex, sourceBytes } from '../support/files.js';

const MiB = 1024 * 1024;
const CHUNK = 2 * MiB;

/** Something the page did: asked the body worker to read, moved or copied a body to the file worker, sent one. */
type Step = { what: 'read' | 'move' | 'copy' | 'send'; range: string };
const range = (start: number, end: number) => `${start}-${end}`;

/** The real XHR transport, noting each upload request and what its body was, as it was handed over. */
class RecordingTransport implements Transport {
  readonly bodies: Array<{ range: string; kind: 'bytes' | 'file' | 'slice'; sha256: string }> = [];
  private readonly inner = new XhrTransport();

  constructor(
    private readonly steps: Step[],
    private readonly file: File,
  ) {}

  async send(req: TransportRequest) {
    const { body } = req;
    if (req.method === 'POST' && body) {
      const start = Number(req.headers['X-Start-Byte']);
      const bytes = body instanceof Blob ? new Uint8Array(await body.arrayBuffer()) : body;
      const r = range(start, start + bytes.byteLength);
      this.steps.push({ what: 'send', range: r });
      const kind = body === this.file ? 'file' : body instanceof Blob ? 'slice' : 'bytes';
      this.bodies.push({ range: r, kind, sha256: await sha256Hex(bytes) });
    }
    return this.inner.send(req);
  }
}

/** Notes what the page posts to the integrity workers, and keeps some of it back (`faults`). */
class WorkerSpy {
  readonly steps: Step[] = [];
  /**
   * `holdFile`: the file worker gets none of its bodies (so answers none) until the one ending the file;
   * `dropReads`: that many first reads never reach the body worker (so are never answered).
   */
  readonly faults = { holdFile: false, dropReads: 0 };
  private readonly real = Worker.prototype.postMessage;

  install(size: number): void {
    const { steps, real, faults } = this;
    const roles = new WeakMap<Worker, 'body' | 'file'>();
    const held: Array<() => void> = [];
    Worker.prototype.postMessage = function (this: Worker, message: WorkerRequest, transfer = []) {
      const post = () => real.call(this, message, { transfer: transfer as Transferable[] });
      if ('role' in message) roles.set(this, message.role);
      else if (roles.has(this)) {
        const file = roles.get(this) === 'file';
        const moved = message.bytes && (transfer as Transferable[]).includes(message.bytes.buffer);
        steps.push({
          what: !file ? 'read' : moved ? 'move' : 'copy',
          range: range(message.start, message.end),
        });
        if (file && faults.holdFile && message.end < size) return void held.push(post);
        if (!file && faults.dropReads > 0) return void faults.dropReads--;
        if (file) for (const release of held.splice(0)) release();
      }
      post();
    } as typeof real;
  }

  restore(): void {
    Worker.prototype.postMessage = this.real;
  }
}

async function storedSha256(id: string): Promise<string> {
  return (await fetch('/__sink/sha256', { headers: { 'X-File-Id': id } })).text();
}

/** The bodies of `size` bytes in CHUNK requests. */
const ranges = (size: number): string[] =>
  Array.from({ length: Math.ceil(size / CHUNK) }, (_, i) =>
    range(i * CHUNK, Math.min(size, (i + 1) * CHUNK)),
  );

describe('integrity: the page sends the bytes the worker read', () => {
  let spy: WorkerSpy;
  beforeEach(() => (spy = new WorkerSpy()));
  afterEach(() => spy.restore());

  /** Uploads `file` to the sink with integrity; checks what was stored and each body sent. */
  async function upload(file: File, options: Partial<UploaderOptions> = {}) {
    spy.install(file.size);
    const id = `integrity-body-${crypto.randomUUID()}`;
    const transport = new RecordingTransport(spy.steps, file);
    const uploader = new Uploader({
      statusUrl: '/__sink/status',
      uploadUrl: '/__sink/upload',
      chunkSize: CHUNK,
      integrity: true,
      retryDelays: [],
      fileId: () => id,
      transport,
      ...options,
    });
    const log = new EventLog(uploader);
    uploader.add([file]);
    const done = await log.first('upload-complete', 15000);
    const source = sourceBytes(file);
    expect(done.sha256, 'upload-complete carries the SHA-256 of the source').to.equal(
      await sha256Hex(source),
    );
    expect(await storedSha256(id), 'the stored file is the source').to.equal(await sha256Hex(source));
    for (const { range: r, sha256 } of transport.bodies) {
      const [start, end] = r.split('-').map(Number);
      expect(sha256, `the body of ${r} is its slice, byte for byte`).to.equal(
        await sha256Hex(source.slice(start, end)),
      );
    }
    uploader.clear();
    return { transport, log };
  }

  const at = (what: Step['what'], r: string) => spy.steps.findIndex((s) => s.what === what && s.range === r);

  it('each request carries the bytes read once, moved to the file worker after it; one body read ahead', async () => {
    const file = makeFile(5 * CHUNK + 123, 'six-bodies.bin');
    const { transport } = await upload(file);
    const bodies = ranges(file.size);
    expect(transport.bodies.map((b) => [b.range, b.kind])).to.deep.equal(bodies.map((r) => [r, 'bytes']));
    const steps = spy.steps.filter((s) => s.what === 'read').map((s) => s.range);
    expect(steps, 'each body read once, in order').to.deep.equal(bodies);
    for (const [k, r] of bodies.entries()) {
      const reads = spy.steps.slice(0, at('send', r)).filter((s) => s.what === 'read').length;
      expect(reads, `bodies read when ${r} is sent: it and the next`).to.equal(
        Math.min(k + 2, bodies.length),
      );
    }
    const last = bodies.at(-1)!;
    expect(
      spy.steps.filter((s) => s.what === 'move' || s.what === 'copy').map((s) => [s.what, s.range]),
      'every body moved to the file worker but the last, whose copy gives the digest it carries',
    ).to.deep.equal([...bodies.slice(0, -1).map((r) => ['move', r]), ['copy', last]]);
    for (const [k, r] of bodies.slice(0, -1).entries()) {
      expect(at('move', r), `${r} moved after its request`).to.be.greaterThan(at('send', r));
      expect(at('move', r), `${r} moved before the next request`).to.be.lessThan(at('send', bodies[k + 1]));
    }
    expect(at('copy', last), 'the last body digested before it is sent').to.be.lessThan(at('send', last));
  });

  it('a file worker that answers nothing is handed two bodies; it reads the others itself', async () => {
    spy.faults.holdFile = true;
    const file = makeFile(6 * CHUNK + 5, 'seven-bodies.bin');
    const { transport } = await upload(file);
    const bodies = ranges(file.size);
    expect(transport.bodies.map((b) => [b.range, b.kind])).to.deep.equal(bodies.map((r) => [r, 'bytes']));
    expect(
      spy.steps.filter((s) => s.what === 'move' || s.what === 'copy').map((s) => [s.what, s.range]),
      'two moved, the rest let go, the last copied',
    ).to.deep.equal([
      ['move', bodies[0]],
      ['move', bodies[1]],
      ['copy', bodies.at(-1)],
    ]);
  });

  it('a body the worker never hands back fails as a stall, and the retry reads it again', async () => {
    spy.faults.dropReads = 1;
    const file = makeFile(2 * CHUNK + 9, 'stuck-read.bin');
    const { transport, log } = await upload(file, { stallTimeout: 1000, retryDelays: [0] });
    expect(log.of('upload-retry').map((r) => [r.attempt, r.error.kind, r.error.message])).to.deep.equal([
      [1, 'stall', 'The integrity worker read no body for 1000 ms'],
    ]);
    expect(transport.bodies.map((b) => [b.range, b.kind])).to.deep.equal(
      ranges(file.size).map((r) => [r, 'bytes']),
    );
  });

  it('a file that fits one request is sent as the File itself, as without integrity', async () => {
    const file = makeFile(CHUNK - 7, 'one-body.bin');
    const { transport } = await upload(file);
    expect(transport.bodies.map((b) => [b.range, b.kind])).to.deep.equal([[range(0, file.size), 'file']]);
  });
});
