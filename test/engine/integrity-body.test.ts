// With `integrity`, request by request against the real sink of the test server
// (test/support/wtr-handlers.mjs): every body sent is byte-identical to the file's slice, the stored file
// is the source, and upload-complete carries its SHA-256. What the page asks of the integrity workers keeps
// memory flat: each body is read once, and at most one body ahead of the one being sent. (The file worker
// keeping at most two handed bodies while it lags is test/engine/integrity-worker.test.ts's "far behind".)
// The bodies stay the file's slices: Chromium 156 sends an ArrayBuffer body about 50 times slower.
import { expect } from '@open-wc/testing';
import { Uploader, XhrTransport } from '../../src/engine/index.js';
import type { Transport, TransportRequest } from '../../src/engine/index.js';
import type { WorkerRequest } from '../../src/engine/integrity/worker.js';
import { EventLog } from '../support/engine-events.js';
import { makeFile, sha256Hex, sourceBytes } from '../support/files.js';

const MiB = 1024 * 1024;
const CHUNK = 2 * MiB;

/** Something the page did: asked the body worker or the file worker for a body, or sent one. */
type Step = { what: 'read' | 'file' | 'send'; range: string };
const range = (start: number, end: number) => `${start}-${end}`;

/** The real XHR transport, noting each upload request and what its body was, as it was handed over. */
class RecordingTransport implements Transport {
  readonly bodies: Array<{ range: string; kind: 'file' | 'slice'; sha256: string }> = [];
  private readonly inner = new XhrTransport();

  constructor(
    private readonly steps: Step[],
    private readonly file: File,
  ) {}

  async send(req: TransportRequest) {
    const { body } = req;
    if (req.method === 'POST' && body) {
      const start = Number(req.headers['X-Start-Byte']);
      const r = range(start, start + body.size);
      this.steps.push({ what: 'send', range: r });
      const sha256 = await sha256Hex(await body.arrayBuffer());
      this.bodies.push({ range: r, kind: body === this.file ? 'file' : 'slice', sha256 });
    }
    return this.inner.send(req);
  }
}

/** Notes what the page posts to the integrity workers. */
function spyOnWorkers(steps: Step[]): () => void {
  const real = Worker.prototype.postMessage;
  const roles = new WeakMap<Worker, 'body' | 'file'>();
  Worker.prototype.postMessage = function (this: Worker, message: WorkerRequest, transfer = []) {
    if ('role' in message) roles.set(this, message.role);
    else if (roles.has(this))
      steps.push({
        what: roles.get(this) === 'body' ? 'read' : 'file',
        range: range(message.start, message.end),
      });
    real.call(this, message, { transfer: transfer as Transferable[] });
  } as typeof real;
  return () => (Worker.prototype.postMessage = real);
}

/** The bodies of `size` bytes in CHUNK requests. */
const ranges = (size: number): string[] =>
  Array.from({ length: Math.ceil(size / CHUNK) }, (_, i) =>
    range(i * CHUNK, Math.min(size, (i + 1) * CHUNK)),
  );

describe('integrity: the bodies sent and what the workers are asked', () => {
  let steps: Step[];
  let restore: () => void;
  beforeEach(() => {
    steps = [];
    restore = spyOnWorkers(steps);
  });
  afterEach(() => restore());

  /** Uploads `file` to the sink with integrity; checks what was stored and each body sent. */
  async function upload(file: File) {
    const id = `integrity-body-${crypto.randomUUID()}`;
    const transport = new RecordingTransport(steps, file);
    const uploader = new Uploader({
      statusUrl: '/__sink/status',
      uploadUrl: '/__sink/upload',
      chunkSize: CHUNK,
      integrity: true,
      retryDelays: [],
      fileId: () => id,
      transport,
    });
    const log = new EventLog(uploader);
    uploader.add([file]);
    const done = await log.first('upload-complete', 15000);
    const source = sourceBytes(file);
    const stored = await (await fetch('/__sink/sha256', { headers: { 'X-File-Id': id } })).text();
    expect(done.sha256, 'upload-complete carries the SHA-256 of the source').to.equal(
      await sha256Hex(source),
    );
    expect(stored, 'the stored file is the source').to.equal(await sha256Hex(source));
    for (const { range: r, sha256 } of transport.bodies) {
      const [start, end] = r.split('-').map(Number);
      expect(sha256, `the body of ${r} is its slice, byte for byte`).to.equal(
        await sha256Hex(source.slice(start, end)),
      );
    }
    uploader.clear();
    return transport;
  }

  it('each body is its slice, read once by the worker, at most one body ahead of the one sent', async () => {
    const file = makeFile(5 * CHUNK + 123, 'six-bodies.bin');
    const transport = await upload(file);
    const bodies = ranges(file.size);
    expect(transport.bodies.map((b) => [b.range, b.kind])).to.deep.equal(bodies.map((r) => [r, 'slice']));
    const asked = (what: Step['what']) => steps.filter((s) => s.what === what).map((s) => s.range);
    expect(asked('read'), 'each body read once, in order').to.deep.equal(bodies);
    expect(asked('file'), 'and fed to the whole file once, in order').to.deep.equal(bodies);
    for (const [k, r] of bodies.entries()) {
      const sent = steps.findIndex((s) => s.what === 'send' && s.range === r);
      const reads = steps.slice(0, sent).filter((s) => s.what === 'read').length;
      expect(reads, `bodies read when ${r} is sent: it and the next`).to.equal(
        Math.min(k + 2, bodies.length),
      );
    }
  });

  it('a file that fits one request is sent as the File itself', async () => {
    const file = makeFile(CHUNK - 7, 'one-body.bin');
    const transport = await upload(file);
    expect(transport.bodies.map((b) => [b.range, b.kind])).to.deep.equal([[range(0, file.size), 'file']]);
  });
});
