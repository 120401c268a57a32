import { UploadError, checkSize } from './errors.js';
import type { UploadEventDetailMap } from './events.js';
import type { FileDigests } from './integrity/digests.js';
import { INTEGRITY_CHUNK_SIZE, type UploaderOptions } from './options.js';
import type { BodyDigest, ProtocolSession, RequestContext, ServerOffset } from './protocols/types.js';
import { isOffline, retryDelay, sleep, waitForOnline } from './retry.js';
import { UploadStatus, isSettled } from './state.js';
import type { UploadItem } from './state.js';
import { XhrTransport } from './transport.js';
import type { TransportResponse } from './wire.js';

export type { UploadItem } from './state.js';

/** Header values must be ASCII: percent-encode anything else (and `%` itself, so it stays unambiguous). */
export const encodeHeaderValue = (id: string): string =>
  id.replace(/[^\x20-\x24\x26-\x7e]/gu, (c) => encodeURIComponent(c));

const SPEED_WINDOW_MS = 2000;

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
  private inFlight = 0;
  private chunkSize: number;
  private controller: AbortController | null = null;
  private lastSample: { time: number; bytes: number } | null = null;
  /**
   * The conversation with the server; kept across pause and retry, so its upload URL is too. Not private:
   * tabs.ts tells the other tabs its URL, and drops it when taking over another tab's upload.
   */
  session: ProtocolSession | null = null;
  /** The upload URL another tab created for this file (tabs.ts): the next session resumes it. */
  declare handed?: string;
  /** With `integrity`: the file's digests, from a Worker loaded on first use. */
  private digests: Promise<FileDigests> | null = null;
  private readonly host: UploadHost;

  constructor(file: File, host: UploadHost) {
    this.file = file;
    this.host = host;
    this.fileId = host.options.fileId(file);
    this.headerId = encodeHeaderValue(this.fileId);
    this.chunkSize = host.options.chunkSize;
  }

  get bytesTotal(): number {
    return this.file.size;
  }
  get bytesUploaded(): number {
    return Math.min(this.file.size, this.confirmed + this.inFlight);
  }
  get eta(): number {
    return this.speed > 0 ? (this.file.size - this.bytesUploaded) / this.speed : Infinity;
  }
  get active(): boolean {
    return this.controller !== null;
  }

  /** Runs until complete, failed, paused or canceled. Never rejects. */
  async run(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    this.error = null;
    this.host.emit('upload-start', this);
    try {
      await this.host.exclusive(this, controller.signal, () => this.loop(controller.signal));
    } catch (err) {
      // Pause and cancel abort on purpose and set the status themselves.
      if (!controller.signal.aborted) this.fail(err);
    } finally {
      if (this.controller === controller) this.controller = null;
      this.inFlight = 0;
    }
  }

  pause(): void {
    if (isSettled(this.status) || this.status === UploadStatus.paused) return;
    this.abort();
    this.setStatus(UploadStatus.paused);
    this.host.emit('upload-pause', this);
  }

  /** Back to the queue; the next run asks the server where to go on. */
  requeue(event: 'upload-resume' | null): void {
    this.attempt = 0;
    this.error = null;
    this.setStatus(UploadStatus.queued);
    if (event) this.host.emit(event, this);
  }

  cancel(): void {
    if (this.status === UploadStatus.canceled || this.status === UploadStatus.complete) return;
    this.abort();
    this.setStatus(UploadStatus.canceled);
    this.host.emit('upload-cancel', this);
    // The aborted signal can't carry the DELETE: it gets one of its own.
    void this.session?.terminate(this.context(new AbortController().signal));
    this.session = null;
    this.closeDigests();
  }

  /** Asks the server what it holds, sending nothing and creating nothing (a restored row's offset). */
  async ask(): Promise<number | null | undefined> {
    const session = await this.open();
    // Not kept: it holds the placeholder file, and the run after the user's click opens its own.
    this.session = null;
    return (await session.offset(this.context(new AbortController().signal), false))?.offset;
  }

  private abort(): void {
    this.controller?.abort(new DOMException('Upload stopped', 'AbortError'));
    this.controller = null;
    this.inFlight = 0;
    this.retryAt = null;
    this.waitingForNetwork = false;
  }

  private setStatus(status: UploadStatus): void {
    this.status = status;
    if (status !== UploadStatus.retrying) {
      this.retryAt = null;
      this.waitingForNetwork = false;
    }
  }

  private context(signal: AbortSignal): RequestContext {
    const { headers, withCredentials, stallTimeout, transport } = this.host.options;
    return {
      // Asked before every request, so a function can hand out a fresh token each time.
      headers: async () => {
        try {
          return typeof headers === 'function' ? await headers(this.file) : headers;
        } catch (cause) {
          throw new UploadError('client', `The headers function failed: ${String(cause)}`, { cause });
        }
      },
      withCredentials,
      stallTimeout,
      signal,
      transport: transport ?? defaultTransport(),
    };
  }

  /** Opens the session with the protocol chosen now (tus and IETF load their code first). */
  private async open(): Promise<ProtocolSession> {
    const { protocol, endpoint, metadata } = this.host.options;
    const options = () => this.host.options;
    return (this.session ??= await protocol.open({
      file: this.file,
      fileId: this.fileId,
      headerId: this.headerId,
      endpoint,
      metadata,
      statusUrl: () => options().statusUrl,
      uploadUrl: () => options().uploadUrl,
      integrity: options().integrity,
      url: this.handed,
    }));
  }

  /** Enters a state unless pause() or cancel() (maybe from an event listener) stopped this run. */
  private enter(signal: AbortSignal, status: UploadStatus): void {
    signal.throwIfAborted();
    this.setStatus(status);
  }

  /**
   * The transition table. ask: where does the server stand (creating the upload when needed)?
   * send: the next slice, sized by chunkSize and the server's limits. confirm: the offset it answers.
   * retry: what each failure means, below.
   */
  private async loop(signal: AbortSignal): Promise<void> {
    const size = this.file.size;
    let session: ProtocolSession | null = null;
    const { retryDelays } = this.host.options;
    /** What the server holds; null means ask. */
    let offset: number | null = null;
    /** The end of the slice last sent. */
    let end = size;
    let conflicts = 0;
    /** Set by a network error or stall: the offset it happened at. */
    let cutAt: number | null = null;
    /** Cuts in a row after which the server held nothing new. */
    let fruitless = 0;

    for (;;) {
      if (isOffline()) await this.waitForNetwork(signal);
      const ctx = this.context(signal);
      let hadUrl = false;
      try {
        if (!session) {
          session = await this.open();
          signal.throwIfAborted();
        }
        // ask
        if (offset === null) {
          this.enter(signal, UploadStatus.checking);
          const where = await session.offset(ctx);
          signal.throwIfAborted();
          offset = this.take(where);
          // Progress is progress, whoever made it (a re-sent request, another tab): it renews the retries.
          if (offset > this.confirmed) {
            this.attempt = 0;
            conflicts = 0;
          }
          this.confirm(offset);
          if (cutAt !== null && offset <= cutAt) fruitless++;
          else if (cutAt !== null) fruitless = 0;
          // A second cut with nothing stored looks like a proxy refusing or dropping big bodies
          // (nginx answers its 413 by closing while the body is sent): halve the chunk.
          if (fruitless >= 2 && this.shrinkChunk(this.chunkSize)) this.attempt = 0;
          cutAt = null;
          // The server holds the whole file (uploaded before, from another tab, or an empty upload went through).
          if (where?.complete) return await this.complete(where.response?.body ?? '');
        }
        // send
        this.enter(signal, UploadStatus.uploading);
        checkSize(size, session.limits.maxSize);
        const start: number = offset;
        const most = Math.min(
          this.chunkSize > 0 ? this.chunkSize : this.host.options.integrity ? INTEGRITY_CHUNK_SIZE : Infinity,
          session.limits.maxAppendSize || Infinity,
        );
        end = Math.min(size, start + most);
        this.lastSample = { time: performance.now(), bytes: this.confirmed };
        let seen = start;
        const asked = session;
        const stillMoving = async (): Promise<boolean> => {
          try {
            const now = (await asked.offset(ctx, false))?.offset ?? seen;
            const moved = now > seen;
            seen = Math.max(seen, now);
            return moved;
          } catch {
            return false;
          }
        };
        hadUrl = session.url !== null;
        const digest = await this.digestOf(start, end);
        signal.throwIfAborted();
        const sent = await session.append({ ...ctx, stillMoving, digest }, start, end, (loaded) =>
          this.progress(loaded),
        );
        signal.throwIfAborted();
        this.inFlight = 0;
        // confirm
        let answer: ServerOffset = sent;
        if (sent.offset === null || sent.offset < start || sent.offset > size) {
          answer = (await session.offset(ctx)) ?? sent;
          signal.throwIfAborted();
        }
        const next = this.take(answer);
        if (next === start && end > start)
          throw new UploadError(
            'protocol',
            `Server accepted bytes ${start}-${end - 1} but stored none of them`,
          );
        if (next > start) {
          this.attempt = 0;
          conflicts = 0;
          fruitless = 0;
        }
        offset = next;
        this.confirm(next);
        this.host.emit('upload-progress', this, { speed: this.speed, eta: this.eta });
        signal.throwIfAborted();
        if (answer.complete) return await this.complete(sent.response?.body ?? '', sent.response);
      } catch (err) {
        if (signal.aborted) throw err;
        // retry
        const error = toUploadError(err);
        const status = error.kind === 'http' ? error.status : 0;
        // A cut after this request carried bytes (which the server likely kept; a dead link fails the ask).
        const cut = error.kind === 'network' && this.inFlight > 0 && !fruitless;
        if (cut) {
          cutAt = offset;
          this.confirmLowered();
        }
        this.inFlight = 0;
        // That, another request (a browser re-send, another tab) moving the offset, or the upload URL the
        // session held being gone (it creates a new one): ask, don't spend a retry.
        // A body the server found damaged (integrity): it kept nothing of it; ask, and send it again.
        const conflict = cut || status === 409 || error.kind === 'integrity';
        if ((conflict || (hadUrl && (status === 404 || status === 410))) && ++conflicts <= 3) {
          offset = null;
          continue;
        }
        if (status === 413 && offset !== null && this.shrinkChunk(end - offset)) continue;
        if (error.kind === 'network' && isOffline()) {
          offset = null;
          continue;
        }
        if (!error.retryable && status !== 409) throw error;
        if (error.kind === 'network' || error.kind === 'stall') cutAt = offset;
        conflicts = 0;
        this.attempt++;
        const delay = retryDelay(
          this.attempt,
          retryDelays,
          error,
          error.response?.header('Retry-After') ?? null,
        );
        if (delay === null) throw error;
        offset = null;
        this.confirmLowered();
        this.enter(signal, UploadStatus.retrying);
        this.retryAt = Date.now() + delay;
        this.host.emit('upload-retry', this, { attempt: this.attempt, delay, error });
        await sleep(delay, signal);
      }
    }
  }

  /** The offset an answer gives, checked against the file. */
  private take(answer: ServerOffset | null): number {
    const size = this.file.size;
    const offset = answer?.offset ?? (answer?.complete ? size : null);
    if (offset === null)
      throw new UploadError('protocol', 'The server did not say how many bytes it holds', {
        response: answer?.response,
      });
    if (offset > size)
      throw new UploadError('protocol', `Server holds ${offset} bytes of a ${size}-byte file`);
    if (offset < this.readableFrom)
      throw new UploadError('client', 'The saved copy lacks bytes the server lost: pick the file again');
    return offset;
  }

  /** Halves the chunk below what was sent, never under `minChunkSize`; false when it can't shrink. */
  private shrinkChunk(sent: number): boolean {
    const min = this.host.options.minChunkSize;
    const current = this.chunkSize > 0 ? Math.min(this.chunkSize, sent) : sent;
    if (current <= min) return false;
    this.chunkSize = Math.max(min, Math.floor(current / 2));
    return true;
  }

  private async waitForNetwork(signal: AbortSignal): Promise<void> {
    this.setStatus(UploadStatus.retrying);
    this.waitingForNetwork = true;
    this.host.emit('upload-progress', this, { speed: 0, eta: Infinity });
    await waitForOnline(signal);
    this.waitingForNetwork = false;
  }

  private confirm(offset: number): void {
    this.confirmed = offset;
    this.inFlight = 0;
  }

  /** After a failure progress shows what the server is known to hold, never more. */
  private confirmLowered(): void {
    this.inFlight = 0;
    this.speed = 0;
    this.host.emit('upload-progress', this, { speed: 0, eta: Infinity });
  }

  private progress(loaded: number): void {
    this.inFlight = loaded;
    const now = performance.now();
    const sample = this.lastSample;
    const bytes = this.confirmed + loaded;
    if (sample && now > sample.time) {
      const dt = now - sample.time;
      const instant = ((bytes - sample.bytes) * 1000) / dt;
      const alpha = 1 - Math.exp(-dt / SPEED_WINDOW_MS);
      this.speed = this.speed === 0 ? instant : this.speed + alpha * (instant - this.speed);
    }
    this.lastSample = { time: now, bytes };
    this.host.emit('upload-progress', this, { speed: this.speed, eta: this.eta });
  }

  /** With `integrity`: the SHA-256s of `file.slice(start, end)` and, when it ends the file, of the file. */
  private async digestOf(start: number, end: number): Promise<BodyDigest | undefined> {
    if (!this.host.options.integrity) return undefined;
    this.digests ??= import('./integrity/digests.js').then((m) => new m.FileDigests(this.file));
    try {
      return await (await this.digests).body(start, end);
    } catch (cause) {
      // Most likely the chunk's load: the next attempt loads again.
      this.digests = null;
      throw new UploadError('network', String(cause), { cause });
    }
  }

  private closeDigests(): void {
    void this.digests?.then(
      (d) => d.close(),
      () => undefined,
    );
    this.digests = null;
  }

  async complete(response: string, last?: TransportResponse): Promise<void> {
    const agreed = (await this.digests?.catch(() => null))?.agreed(last) ?? { sha256: null, verified: false };
    this.closeDigests();
    if (agreed instanceof UploadError) return this.fail(agreed);
    this.session?.finish();
    this.response = response;
    this.confirmed = this.file.size;
    this.setStatus(UploadStatus.complete);
    this.host.emit('upload-complete', this, { response, sha256: agreed.sha256, verified: agreed.verified });
    this.host.settled(this);
  }

  private fail(err: unknown): void {
    this.closeDigests();
    this.error = toUploadError(err);
    this.setStatus(UploadStatus.error);
    this.host.emit('upload-error', this, { error: this.error });
    this.host.settled(this);
  }
}

let sharedTransport: XhrTransport | null = null;
const defaultTransport = () => (sharedTransport ??= new XhrTransport());

function toUploadError(err: unknown): UploadError {
  if (err instanceof UploadError) return err;
  return new UploadError('client', err instanceof Error ? err.message : String(err), { cause: err });
}
