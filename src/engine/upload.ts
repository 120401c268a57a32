import { UploadError, checkSize, toUploadError } from './errors.js';
import type { UploadEventDetailMap } from './events.js';
import type { FileDigests } from './integrity/digests.js';
import { INTEGRITY_CHUNK_SIZE, type UploaderOptions } from './options.js';
import type { BodyDigest, ProtocolSession, RequestContext, ServerOffset } from './protocols/types.js';
import { isOffline, retryDelay, sleep, waitForOnline } from './retry.js';
import { encodeHeaderValue, movedSince, offsetOf, openSession, requestContext } from './session.js';
import { type Sample, smoothed } from './speed.js';
import { UploadStatus, isSettled, type UploadItem } from './state.js';
import type { TransportResponse } from './wire.js';

export type { UploadItem } from './state.js';

/** What an Upload needs from its queue. */
export interface UploadHost {
  readonly options: UploaderOptions;
  emit<K extends keyof UploadEventDetailMap>(type: K, item: Upload, extra?: object): void;
  settled(item: Upload): void;
  /** Runs `body` as this file's only uploader across the browser's tabs (tabs.ts). */
  exclusive(item: Upload, signal: AbortSignal, body: () => Promise<void>): Promise<void>;
}

/** One file's state machine: ask -> send -> confirm -> retry, over its protocol's session. */
export class Upload implements UploadItem {
  file: File;
  readonly fileId: string;
  readonly headerId: string;
  status: UploadStatus = UploadStatus.queued;
  speed = 0;
  attempt = 0;
  retryAt: number | null = null;
  waitingForNetwork = false;
  error: UploadError | null = null;
  response: string | null = null;
  /** Held back until start() in manual mode. */
  held = false;
  elsewhere = false;
  needs: 'permission' | 'file' | null = null;
  /** A restored copy holds no bytes below this (persist.ts): the server must hold them. */
  readableFrom = 0;

  /** Bytes the server confirmed (tabs.ts and persist.ts read and mirror it). */
  confirmed = 0;
  #inFlight = 0;
  #chunkSize: number;
  #controller: AbortController | null = null;
  #lastSample: Sample | null = null;
  /**
   * The conversation with the server; kept across pause and retry, so its upload URL is too. Not private:
   * tabs.ts tells the other tabs its URL, and drops it when taking over another tab's upload.
   */
  session: ProtocolSession | null = null;
  /** The upload URL another tab created for this file (tabs.ts): the next session resumes it. */
  declare handed?: string;
  /** With `integrity`: the file's digests, from a Worker loaded on first use. */
  #digests: Promise<FileDigests> | null = null;
  readonly #host: UploadHost;
  // One run's state, shared by its steps and reset as loop() starts; a stopped run writes none of it
  // (each step checks its signal after every await).
  /** What the server holds; null means ask. */
  #offset: number | null = null;
  /** The end of the slice last sent. */
  #end = 0;
  /** Failures in a row answered by asking again, which spend no retry (at most 3). */
  #conflicts = 0;
  /** Set by a network error or stall: the offset it happened at. */
  #cutAt: number | null = null;
  /** Cuts in a row after which the server held nothing new. */
  #fruitless = 0;
  /** The session had an upload URL when this turn's request was sent. */
  #hadUrl = false;

  constructor(file: File, host: UploadHost) {
    this.file = file;
    this.#host = host;
    this.fileId = host.options.fileId(file);
    this.headerId = encodeHeaderValue(this.fileId);
    this.#chunkSize = host.options.chunkSize;
  }

  get bytesTotal(): number {
    return this.file.size;
  }
  get bytesUploaded(): number {
    return Math.min(this.file.size, this.confirmed + this.#inFlight);
  }
  get eta(): number {
    return this.speed > 0 ? (this.file.size - this.bytesUploaded) / this.speed : Infinity;
  }
  get active(): boolean {
    return this.#controller !== null;
  }

  /** Runs until complete, failed, paused or canceled. Never rejects. */
  async run(): Promise<void> {
    const controller = new AbortController();
    this.#controller = controller;
    this.error = null;
    this.#host.emit('upload-start', this);
    try {
      await this.#host.exclusive(this, controller.signal, () => this.#loop(controller.signal));
    } catch (err) {
      // Pause and cancel abort on purpose and set the status themselves.
      if (!controller.signal.aborted) this.#fail(err);
    } finally {
      if (this.#controller === controller) this.#controller = null;
      this.#inFlight = 0;
    }
  }

  pause(): void {
    if (isSettled(this.status) || this.status === UploadStatus.paused) return;
    this.#abort();
    this.#setStatus(UploadStatus.paused);
    this.#host.emit('upload-pause', this);
  }

  /** Back to the queue; the next run asks the server where to go on. */
  requeue(event: 'upload-resume' | null): void {
    this.attempt = 0;
    this.error = null;
    this.#setStatus(UploadStatus.queued);
    if (event) this.#host.emit(event, this);
  }

  cancel(): void {
    if (this.status === UploadStatus.canceled || this.status === UploadStatus.complete) return;
    this.#abort();
    this.#setStatus(UploadStatus.canceled);
    this.#host.emit('upload-cancel', this);
    // The aborted signal can't carry the DELETE: it gets one of its own.
    void this.session?.terminate(this.#context(new AbortController().signal));
    this.session = null;
    this.#closeDigests();
  }

  /** Asks the server what it holds, sending nothing and creating nothing (a restored row's offset). */
  async ask(): Promise<number | null | undefined> {
    const session = await this.#open();
    // Not kept: it holds the placeholder file, and the run after the user's click opens its own.
    this.session = null;
    return (await session.offset(this.#context(new AbortController().signal), false))?.offset;
  }

  #abort(): void {
    this.#controller?.abort(new DOMException('Upload stopped', 'AbortError'));
    this.#controller = null;
    this.#inFlight = 0;
    this.retryAt = null;
    this.waitingForNetwork = false;
  }

  #setStatus(status: UploadStatus): void {
    this.status = status;
    if (status !== UploadStatus.retrying) {
      this.retryAt = null;
      this.waitingForNetwork = false;
    }
  }

  #context(signal: AbortSignal): RequestContext {
    return requestContext(this.#host.options, this.file, signal);
  }

  /** Opens the session with the protocol chosen now, unless it is open. */
  async #open(): Promise<ProtocolSession> {
    return (this.session ??= await openSession(() => this.#host.options, this));
  }

  /** Enters a state unless pause() or cancel() (maybe from an event listener) stopped this run. */
  #enter(signal: AbortSignal, status: UploadStatus): void {
    signal.throwIfAborted();
    this.#setStatus(status);
  }

  /**
   * The transition table; a failure anywhere goes to retry.
   *   ask      where does the server stand (creating the upload when needed)?  -> send, or complete
   *   send     the next slice, sized by chunkSize and the server's limits      -> confirm
   *   confirm  the offset the server answers                                   -> send, or complete
   *   retry    what the failure means                                          -> ask, send, or error
   */
  async #loop(signal: AbortSignal): Promise<void> {
    const delays = this.#host.options.retryDelays;
    this.#offset = this.#cutAt = null;
    this.#end = this.file.size;
    this.#conflicts = this.#fruitless = 0;
    let session: ProtocolSession | null = null;
    for (;;) {
      if (isOffline()) await this.#waitForNetwork(signal);
      const ctx = this.#context(signal);
      this.#hadUrl = false;
      try {
        if (!session) {
          session = await this.#open();
          signal.throwIfAborted();
        }
        if (this.#offset === null && (await this.#askStep(signal, session, ctx))) return;
        const sent = await this.#sendStep(signal, session, ctx);
        if (await this.#confirmStep(signal, session, ctx, sent)) return;
      } catch (err) {
        if (signal.aborted) throw err;
        await this.#retryStep(signal, delays, toUploadError(err));
      }
    }
  }

  /** ask: where the server stands. True when it holds the whole file and the upload completed. */
  async #askStep(signal: AbortSignal, session: ProtocolSession, ctx: RequestContext): Promise<boolean> {
    this.#enter(signal, UploadStatus.checking);
    const where = await session.offset(ctx);
    signal.throwIfAborted();
    const offset = (this.#offset = offsetOf(where, this.file.size, this.readableFrom));
    // Progress is progress, whoever made it (a re-sent request, another tab): it renews the retries.
    if (offset > this.confirmed) this.attempt = this.#conflicts = 0;
    this.confirmed = offset;
    this.#inFlight = 0;
    if (this.#cutAt !== null) this.#fruitless = offset <= this.#cutAt ? this.#fruitless + 1 : 0;
    // A second cut with nothing stored looks like a proxy refusing or dropping big bodies
    // (nginx answers its 413 by closing while the body is sent): halve the chunk.
    if (this.#fruitless >= 2 && this.#shrinkChunk(this.#chunkSize)) this.attempt = 0;
    this.#cutAt = null;
    // Uploaded before, from another tab, or an empty upload went through.
    if (!where?.complete) return false;
    await this.complete(where.response?.body ?? '');
    return true;
  }

  /** send: the next slice from the server's offset, sized by chunkSize and the server's limits. */
  async #sendStep(signal: AbortSignal, session: ProtocolSession, ctx: RequestContext): Promise<ServerOffset> {
    this.#enter(signal, UploadStatus.uploading);
    const size = this.file.size;
    checkSize(size, session.limits.maxSize);
    const start = this.#offset!; // ask set it
    const most = Math.min(
      this.#chunkSize > 0 ? this.#chunkSize : this.#host.options.integrity ? INTEGRITY_CHUNK_SIZE : Infinity,
      session.limits.maxAppendSize || Infinity,
    );
    const end = (this.#end = Math.min(size, start + most));
    this.#lastSample = { time: performance.now(), bytes: this.confirmed };
    const stillMoving = movedSince(session, ctx, start);
    this.#hadUrl = session.url !== null;
    const digest = await this.#digestOf(start, end);
    signal.throwIfAborted();
    const sent = await session.append({ ...ctx, stillMoving, digest }, start, end, (loaded) =>
      this.#progress(loaded),
    );
    signal.throwIfAborted();
    this.#inFlight = 0;
    return sent;
  }

  /** confirm: the offset the server answers for the slice sent. True when the upload completed. */
  async #confirmStep(
    signal: AbortSignal,
    session: ProtocolSession,
    ctx: RequestContext,
    sent: ServerOffset,
  ): Promise<boolean> {
    const end = this.#end;
    const start = this.#offset!;
    const size = this.file.size;
    let answer = sent;
    if (sent.offset === null || sent.offset < start || sent.offset > size) {
      answer = (await session.offset(ctx)) ?? sent;
      signal.throwIfAborted();
    }
    const next = offsetOf(answer, size, this.readableFrom);
    if (next === start && end > start)
      throw new UploadError('protocol', `Server accepted bytes ${start}-${end - 1} but stored none of them`);
    if (next > start) this.attempt = this.#conflicts = this.#fruitless = 0;
    this.#offset = next;
    this.confirmed = next;
    this.#inFlight = 0;
    this.#host.emit('upload-progress', this, { speed: this.speed, eta: this.eta });
    signal.throwIfAborted();
    if (!answer.complete) return false;
    await this.complete(sent.response?.body ?? '', sent.response);
    return true;
  }

  /** retry: what a failure means. Some cost no retry (#goesOn); the rest wait out a delay, then ask. */
  async #retryStep(signal: AbortSignal, delays: readonly number[], error: UploadError): Promise<void> {
    const status = error.kind === 'http' ? error.status : 0;
    if (this.#goesOn(error, status)) return;
    if (!error.retryable && status !== 409) throw error;
    if (error.kind === 'network' || error.kind === 'stall') this.#cutAt = this.#offset;
    this.#conflicts = 0;
    this.attempt++;
    const delay = retryDelay(this.attempt, delays, error, error.response?.header('Retry-After') ?? null);
    if (delay === null) throw error;
    this.#offset = null;
    this.#confirmLowered();
    this.#enter(signal, UploadStatus.retrying);
    this.retryAt = Date.now() + delay;
    this.#host.emit('upload-retry', this, { attempt: this.attempt, delay, error });
    await sleep(delay, signal);
  }

  /** Failures that spend no retry: true when the run goes on at once (asking again, or a smaller slice). */
  #goesOn(error: UploadError, status: number): boolean {
    // A cut after this request carried bytes (which the server likely kept; a dead link fails the ask).
    const cut = error.kind === 'network' && this.#inFlight > 0 && !this.#fruitless;
    if (cut) {
      this.#cutAt = this.#offset;
      this.#confirmLowered();
    }
    this.#inFlight = 0;
    // That, another request (a browser re-send, another tab) moving the offset, or the upload URL the
    // session held being gone (it creates a new one): ask, don't spend a retry.
    // A body the server found damaged (integrity): it kept nothing of it; ask, and send it again.
    const conflict = cut || status === 409 || error.kind === 'integrity';
    const lost = this.#hadUrl && (status === 404 || status === 410);
    if ((conflict || lost) && ++this.#conflicts <= 3) {
      this.#offset = null;
      return true;
    }
    if (status === 413 && this.#offset !== null && this.#shrinkChunk(this.#end - this.#offset)) return true;
    if (error.kind !== 'network' || !isOffline()) return false;
    this.#offset = null;
    return true;
  }

  /** Halves the chunk below what was sent, never under `minChunkSize`; false when it can't shrink. */
  #shrinkChunk(sent: number): boolean {
    const min = this.#host.options.minChunkSize;
    const current = this.#chunkSize > 0 ? Math.min(this.#chunkSize, sent) : sent;
    if (current <= min) return false;
    this.#chunkSize = Math.max(min, Math.floor(current / 2));
    return true;
  }

  async #waitForNetwork(signal: AbortSignal): Promise<void> {
    this.#setStatus(UploadStatus.retrying);
    this.waitingForNetwork = true;
    this.#host.emit('upload-progress', this, { speed: 0, eta: Infinity });
    await waitForOnline(signal);
    this.waitingForNetwork = false;
  }

  /** After a failure progress shows what the server is known to hold, never more. */
  #confirmLowered(): void {
    this.#inFlight = 0;
    this.speed = 0;
    this.#host.emit('upload-progress', this, { speed: 0, eta: Infinity });
  }

  #progress(loaded: number): void {
    this.#inFlight = loaded;
    const now = performance.now();
    const bytes = this.confirmed + loaded;
    this.speed = smoothed(this.speed, this.#lastSample, now, bytes);
    this.#lastSample = { time: now, bytes };
    this.#host.emit('upload-progress', this, { speed: this.speed, eta: this.eta });
  }

  /** With `integrity`: the SHA-256s of `file.slice(start, end)` and, when it ends the file, of the file. */
  async #digestOf(start: number, end: number): Promise<BodyDigest | undefined> {
    if (!this.#host.options.integrity) return undefined;
    this.#digests ??= import('./integrity/digests.js').then((m) => new m.FileDigests(this.file));
    try {
      return await (await this.#digests).body(start, end);
    } catch (cause) {
      // Most likely the chunk's load: the next attempt loads again.
      this.#digests = null;
      throw new UploadError('network', String(cause), { cause });
    }
  }

  #closeDigests(): void {
    void this.#digests?.then(
      (d) => d.close(),
      () => undefined,
    );
    this.#digests = null;
  }

  async complete(response: string, last?: TransportResponse): Promise<void> {
    const digests = await this.#digests?.catch(() => null);
    const agreed = digests?.agreed(last) ?? { sha256: null, verified: false };
    this.#closeDigests();
    if (agreed instanceof UploadError) return this.#fail(agreed);
    this.session?.finish();
    this.response = response;
    this.confirmed = this.file.size;
    this.#setStatus(UploadStatus.complete);
    this.#host.emit('upload-complete', this, { response, sha256: agreed.sha256, verified: agreed.verified });
    this.#host.settled(this);
  }

  #fail(err: unknown): void {
    this.#closeDigests();
    this.error = toUploadError(err);
    this.#setStatus(UploadStatus.error);
    this.#host.emit('upload-error', this, { error: this.error });
    this.#host.settled(this);
  }
}
