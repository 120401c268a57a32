// Progress and integrity against the real in-memory sink of the test server (test/support/wtr-handlers.mjs):
// no service worker in the path, so XHR upload progress fires as in production.
import { expect } from '@open-wc/testing';
import { Uploader, UploadStatus } from '../../src/engine/index.js';
import { EventLog, onlyItem } from '../support/engine-events.js';
import { makeFile, sha256Hex, sourceBytes } from '../support/files.js';
import { ObservedTransport } from '../support/observed-transport.js';

const MiB = 1024 * 1024;

interface Sample {
  bytesUploaded: number;
  speed: number;
  eta: number;
  /** Set when the event came from the request in flight. */
  inFlight: { start: number; loaded: number } | null;
}

async function storedSha256(id: string): Promise<string> {
  const res = await fetch('/__sink/sha256', { headers: { 'X-File-Id': id } });
  return res.text();
}

/** Uploads `file` to the sink and returns every progress sample. */
async function upload(
  file: File,
  transport: ObservedTransport,
  id: string,
  chunkSize = 4 * MiB,
): Promise<Sample[]> {
  const uploader = new Uploader({
    statusUrl: '/__sink/status',
    uploadUrl: '/__sink/upload',
    chunkSize,
    retryDelays: [0],
    fileId: () => id,
    transport,
  });
  const log = new EventLog(uploader);
  const samples: Sample[] = [];
  uploader.addEventListener('upload-progress', (e) => {
    const { bytesUploaded, speed, eta } = e.detail;
    samples.push({ bytesUploaded, speed, eta, inFlight: transport.current && { ...transport.current } });
  });
  uploader.add([file]);
  await log.first('upload-complete', 15000);
  expect(onlyItem(uploader).status).to.equal(UploadStatus.complete);
  expect(onlyItem(uploader).bytesUploaded).to.equal(file.size);
  return samples;
}

describe('engine progress against a real server', () => {
  before(async () => {
    // A service worker left by another test file would swallow upload progress.
    const registrations = await navigator.serviceWorker.getRegistrations();
    await Promise.all(registrations.map((r) => r.unregister()));
  });

  it('32 MiB in 4 MiB chunks: progress climbs to the size, counts bytes in flight, measures speed; SHA-256 matches', async () => {
    const file = makeFile(32 * MiB, 'video.mp4');
    const id = `progress-${crypto.randomUUID()}`;
    const transport = new ObservedTransport();
    const samples = await upload(file, transport, id);

    expect(transport.starts).to.deep.equal([0, 4, 8, 12, 16, 20, 24, 28].map((n) => n * MiB));
    const bytes = samples.map((s) => s.bytesUploaded);
    expect(bytes, 'monotonic').to.deep.equal([...bytes].sort((a, b) => a - b));
    expect(bytes.at(-1)).to.equal(file.size);
    expect(Math.max(...bytes)).to.be.at.most(file.size);
    const inFlight = samples.filter((s) => s.inFlight);
    expect(inFlight.length, 'progress events from requests in flight').to.be.greaterThan(0);
    for (const s of inFlight) {
      expect(s.bytesUploaded, 'confirmed offset + bytes in flight').to.equal(
        s.inFlight!.start + s.inFlight!.loaded,
      );
      expect(s.speed, 'speed').to.be.greaterThan(0);
      expect(Number.isFinite(s.eta), `eta ${s.eta} is finite`).to.equal(true);
    }
    expect(await storedSha256(id)).to.equal(await sha256Hex(sourceBytes(file)));
  });

  it('after a connection lost mid-chunk, progress falls back to the server offset and the upload goes on from it', async () => {
    const file = makeFile(20 * MiB, 'backup.tar');
    const id = `progress-${crypto.randomUUID()}`;
    // The server keeps 1.5 MiB of the second chunk, then the connection dies.
    const cutAt = 4 * MiB + 1.5 * MiB + 123;
    const transport = new ObservedTransport(cutAt);
    const samples = await upload(file, transport, id);

    expect(transport.starts).to.deep.equal([
      0,
      4 * MiB,
      cutAt,
      cutAt + 4 * MiB,
      cutAt + 8 * MiB,
      cutAt + 12 * MiB,
    ]);
    const cut = samples.findIndex((s, i) => i > 0 && s.bytesUploaded < samples[i - 1].bytesUploaded);
    expect(cut, 'progress goes back once, after the cut').to.be.greaterThan(0);
    expect(samples[cut].bytesUploaded, 'falls back to what the server confirmed').to.equal(4 * MiB);
    expect(samples[cut].bytesUploaded, 'never above what the server holds').to.be.at.most(cutAt);
    const after = samples.slice(cut).map((s) => s.bytesUploaded);
    expect(after, 'monotonic again from there').to.deep.equal([...after].sort((a, b) => a - b));
    expect(
      samples.slice(cut + 1).find((s) => s.inFlight)?.inFlight?.start,
      'next chunk starts at the server offset',
    ).to.equal(cutAt);
    expect(await storedSha256(id)).to.equal(await sha256Hex(sourceBytes(file)));
  });

  it('sends a whole file as the File itself (Chromium sends it twice as fast as a slice), a resume as a slice', async () => {
    const file = makeFile(8 * MiB, 'whole.bin');
    const id = `whole-${crypto.randomUUID()}`;
    const transport = new ObservedTransport(3 * MiB);
    await upload(file, transport, id, 0);

    expect(transport.starts).to.deep.equal([0, 3 * MiB]);
    expect(transport.bodies[0], 'the first request: the File, not a copy or slice').to.equal(file);
    expect(transport.bodies[1]).to.not.equal(file);
    expect(transport.bodies[1].size).to.equal(5 * MiB);
    expect(await storedSha256(id)).to.equal(await sha256Hex(sourceBytes(file)));
  });
});
