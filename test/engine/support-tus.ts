// What the tus suites share: per test a scripted server, a URL storage and a fake clock, an Uploader on
// the tus protocol, and the exact requests tus 1.0 sends (creation, PATCH, HEAD).
import sinon from 'sinon';
import { Uploader, tus, type TusOptions, type UploaderOptions } from '../../src/engine/index.js';
import { EventLog } from '../support/engine-events.js';
import { articleId } from '../support/files.js';
import {
  ScriptedServer,
  startMockServer,
  stopMockServer,
  type ScriptedRequest,
} from '../support/scripted-server.js';
import { MemoryStorage } from '../support/url-storage.js';

export const KiB = 1024;
export const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
export const OCTETS = 'application/offset+octet-stream';
export const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

/** What each test starts with. */
export interface TusState {
  server: ScriptedServer;
  storage: MemoryStorage;
  uploaders: Uploader[];
  clock: sinon.SinonFakeTimers;
}

/**
 * The hooks of a suite over a scripted server (tus, IETF): per test a fresh server, URL storage, uploader
 * list and fake clock (Math.random pinned), handed over by `share`; after it, every uploader cleared and
 * `current()` closed.
 */
export function protocolHooks(current: () => ScriptedServer, share: (state: TusState) => void): void {
  let state: TusState;
  before(startMockServer);
  after(stopMockServer);
  beforeEach(() => {
    state = {
      server: new ScriptedServer(),
      storage: new MemoryStorage(),
      uploaders: [],
      clock: sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: NOW }),
    };
    sinon.stub(Math, 'random').returns(0.5);
    share(state);
  });
  afterEach(() => {
    for (const u of state.uploaders) u.clear();
    current().close();
    sinon.restore();
  });
}

/**
 * Registers a tus suite's hooks (call it inside its describe) and returns the helpers its tests use.
 * `share` hands each test's fresh state to the suite's variables; `current` reads the suite's server
 * back, since a test may replace it with a fresh endpoint.
 */
export function tusFixture(current: () => ScriptedServer, share: (state: TusState) => void) {
  let state!: TusState;
  protocolHooks(current, (fresh) => share((state = fresh)));

  const requests = tusRequests(() => current().endpoint);

  function start(options: Partial<UploaderOptions> = {}, tusOptions: TusOptions = {}) {
    const uploader = new Uploader({
      protocol: tus({ storage: state.storage, ...tusOptions }),
      endpoint: current().endpoint,
      ...options,
    });
    state.uploaders.push(uploader);
    return { uploader, log: new EventLog(uploader) };
  }

  const key = (file: File) =>
    `resumable-upload:tus:${new URL(current().endpoint, location.href).href}:${articleId(file)}`;
  const remember = (file: File, id: string, expiresAt = NOW + 3600_000) =>
    state.storage.setItem(
      key(file),
      JSON.stringify({ url: new URL(requests.url(id), location.href).href, createdAt: NOW, expiresAt }),
    );

  /** Quiet for `delay - 1` ms, then the next attempt at `delay`. */
  async function expectQuietFor(delay: number): Promise<void> {
    if (delay > 0) {
      await state.clock.tickAsync(delay - 1);
      await current().expectNoRequest();
    }
    await state.clock.tickAsync(1);
  }

  return { start, remember, expectQuietFor, ...requests };
}

/** The exact requests tus 1.0 sends to `endpoint()`, the upload URLs under it. */
function tusRequests(endpoint: () => string) {
  const url = (id: string) => `${endpoint()}${id}`;

  function expectCreation(
    r: ScriptedRequest,
    file: File,
    metadata = `filename ${b64(file.name)}`,
  ): ScriptedRequest {
    return r.expectRequest('POST', endpoint()).expectHeaders({
      'Tus-Resumable': '1.0.0',
      'Upload-Length': String(file.size),
      'Upload-Metadata': metadata,
      'Content-Type': null,
      'Upload-Offset': null,
    });
  }

  function expectPatch(
    r: ScriptedRequest,
    id: string,
    file: File,
    startAt: number,
    end: number,
  ): ScriptedRequest {
    return r
      .expectRequest('PATCH', url(id))
      .expectHeaders({ 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(startAt), 'Content-Type': OCTETS })
      .expectBody(file, startAt, end);
  }

  const expectHead = (r: ScriptedRequest, id: string) =>
    r.expectRequest('HEAD', url(id)).expectHeaders({ 'Tus-Resumable': '1.0.0', 'Upload-Offset': null });

  return { url, expectCreation, expectPatch, expectHead };
}
