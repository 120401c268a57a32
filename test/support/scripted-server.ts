// A server the test scripts one request at a time, tus-js-client's nextRequest() style, served by MSW's
// service worker so the engine's real XMLHttpRequests reach it.
import { expect } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { setupWorker, type SetupWorker } from 'msw/browser';
import { sourceBytes } from './files.js';

// Captured before any test fakes the clock: waiting for the browser must use real time.
const realSetTimeout = globalThis.setTimeout.bind(globalThis);
const realClearTimeout = globalThis.clearTimeout.bind(globalThis);

/** Resolves after `ms` of real time, whatever the clock is faked to. */
export const realDelay = (ms: number): Promise<void> => new Promise((resolve) => realSetTimeout(resolve, ms));

/** One request the engine sent, waiting for the test to answer it. */
export class ScriptedRequest {
  answered = false;

  constructor(
    readonly method: string,
    /** Path and query, e.g. `/api/3/upload`. */
    readonly url: string,
    readonly headers: Headers,
    readonly body: Uint8Array,
    private readonly server: ScriptedServer,
    private readonly reply: (response: Response) => void,
  ) {}

  header(name: string): string | null {
    return this.headers.get(name);
  }

  respond(status: number, body = '', headers: Record<string, string> = {}): void {
    // A 204's body must be null, not even ''.
    this.settle(new HttpResponse(status === 204 || status === 304 ? null : body, { status, headers }));
  }

  /** `METHOD path`, e.g. `PATCH /api/3/files/a1`. */
  expectRequest(method: string, url: string): this {
    expect(`${this.method} ${this.url}`, 'request').to.equal(`${method} ${url}`);
    return this;
  }

  /** Each named header has exactly this value (null: absent). */
  expectHeaders(headers: Record<string, string | null>): this {
    for (const [name, value] of Object.entries(headers)) expect(this.header(name), name).to.equal(value);
    return this;
  }

  /** The body is exactly `file.slice(start, end)`. */
  expectBody(file: File, start: number, end: number): this {
    expect(this.body.byteLength, `body length of the request at ${start}`).to.equal(end - start);
    expect(
      firstDifference(this.body, sourceBytes(file).subarray(start, end)),
      'first differing body byte',
    ).to.equal(-1);
    return this;
  }

  /** The connection drops: the XHR fires `error`. */
  networkError(): void {
    this.settle(HttpResponse.error());
  }

  /** A status request: GET statusUrl with the file's id and nothing else of ours. */
  expectStatus(headerId: string): this {
    expect(`${this.method} ${this.url}`, 'request').to.equal(`GET ${this.server.statusUrl}`);
    expect(this.header('X-File-Id'), 'X-File-Id').to.equal(headerId);
    expect(this.header('X-Start-Byte'), 'a status request has no X-Start-Byte').to.equal(null);
    return this;
  }

  /** An upload request carrying exactly `file.slice(start, end)`. */
  expectChunk(file: File, headerId: string, start: number, end: number): this {
    expect(`${this.method} ${this.url}`, 'request').to.equal(`POST ${this.server.uploadUrl}`);
    expect(this.header('X-File-Id'), 'X-File-Id').to.equal(headerId);
    expect(this.header('X-Start-Byte'), 'X-Start-Byte').to.equal(String(start));
    expect(this.header('X-File-Size'), 'X-File-Size').to.equal(String(file.size));
    expect(this.body.byteLength, `body length of the chunk at ${start}`).to.equal(end - start);
    expect(
      firstDifference(this.body, sourceBytes(file).subarray(start, end)),
      'first differing body byte',
    ).to.equal(-1);
    return this;
  }

  private settle(response: Response): void {
    expect(this.answered, `${this.method} ${this.url} answered twice`).to.equal(false);
    this.answered = true;
    this.server.inFlight--;
    this.reply(response);
  }
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

const servers = new Map<string, ScriptedServer>();
let worker: SetupWorker | null = null;
let serial = 0;

/** Starts MSW's worker once per test file; call from `before`. */
export async function startMockServer(): Promise<void> {
  worker = setupWorker(
    http.all('/api/:server/*', async ({ request, params }) => {
      const server = servers.get(String(params.server));
      if (!server) return HttpResponse.error();
      const body = new Uint8Array(await request.clone().arrayBuffer());
      const url = new URL(request.url);
      return new Promise<Response>((reply) =>
        server.receive(
          new ScriptedRequest(
            request.method,
            url.pathname + url.search,
            request.headers,
            body,
            server,
            reply,
          ),
        ),
      );
    }),
  );
  await worker.start({
    serviceWorker: { url: '/mockServiceWorker.js' },
    quiet: true,
    onUnhandledRequest: 'bypass',
  });
}

/** Stops the worker and unregisters it, so later test pages get real XHR upload progress again. */
export async function stopMockServer(): Promise<void> {
  worker?.stop();
  worker = null;
  const registrations = await navigator.serviceWorker.getRegistrations();
  await Promise.all(registrations.map((r) => r.unregister()));
}

/** The requests of one test, under URLs of its own so a late request of another test cannot land here. */
export class ScriptedServer {
  readonly statusUrl: string;
  readonly uploadUrl: string;
  /** The creation URL of tus and IETF uploads; upload URLs live under it. */
  readonly endpoint: string;
  /** Every request received, in order. */
  readonly log: ScriptedRequest[] = [];
  /** Requests received and not yet answered. */
  inFlight = 0;
  maxInFlight = 0;
  private readonly waiting: ScriptedRequest[] = [];
  private readonly takers: ((r: ScriptedRequest) => void)[] = [];
  private readonly name = String(++serial);

  constructor() {
    this.statusUrl = `/api/${this.name}/status`;
    this.uploadUrl = `/api/${this.name}/upload`;
    this.endpoint = `/api/${this.name}/files/`;
    servers.set(this.name, this);
  }

  receive(request: ScriptedRequest): void {
    this.log.push(request);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const taker = this.takers.shift();
    if (taker) taker(request);
    else this.waiting.push(request);
  }

  /** The next request the engine sends, in order of arrival. */
  next(timeoutMs = 3000): Promise<ScriptedRequest> {
    const ready = this.waiting.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const taker = (r: ScriptedRequest) => {
        realClearTimeout(timer);
        resolve(r);
      };
      const timer = realSetTimeout(() => {
        this.takers.splice(this.takers.indexOf(taker), 1);
        reject(new Error(`No request arrived within ${timeoutMs} ms (${this.log.length} so far)`));
      }, timeoutMs);
      this.takers.push(taker);
    });
  }

  /** Waits a little real time and asserts the engine sent nothing more. */
  async expectNoRequest(ms = 60): Promise<void> {
    await realDelay(ms);
    const extra = this.waiting.map((r) => `${r.method} ${r.url} X-Start-Byte=${r.header('X-Start-Byte')}`);
    expect(extra, 'unexpected requests').to.deep.equal([]);
  }

  /** Fails whatever is still open and stops routing here. */
  close(): void {
    servers.delete(this.name);
    for (const r of this.log) if (!r.answered) r.networkError();
  }
}
