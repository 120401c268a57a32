// Reading a request body is the same for every store: an idle timeout, a byte limit, an optional digest,
// activity callbacks and a typed end. What a store does with the bytes (disk writes, S3 parts) is its sink's.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { AppendOptions, BodyEnd } from './types.js';

/** Where a body's bytes go. The pump hands it chunks, and after every change asks it whether to go on. */
export interface BodySink {
  /** Takes one chunk of the body, in order, within its limit. */
  take(chunk: Buffer): void;
  /** The body overflowed: forget what was taken and is not being stored yet. */
  drop(): void;
  /** Bytes wait that the sink cannot start storing yet: the body is paused (TCP back-pressure) meanwhile. */
  readonly backlogged: boolean;
  /** Nothing is being stored: once the body is over, or storing failed, the pump settles. */
  readonly idle: boolean;
  /** Why storing failed; the pump rejects with it once the sink is idle. */
  readonly failure: unknown;
}

export type PumpOptions = Pick<AppendOptions, 'limit' | 'idleTimeout' | 'digest' | 'onActivity' | 'tap'>;

/**
 * Reads one body into a sink. Call `changed()` whenever the sink's state moves (a write or a part settled).
 * `run` resolves with how the body ended once the sink is idle: 'mismatch' when it ended but its digest
 * does not match. It rejects with the sink's failure, after the sink settled (nothing is still being stored).
 */
export class BodyPump {
  readonly #body: Readable;
  readonly #options: PumpOptions;
  readonly #hash: Hash | undefined;
  #sink: BodySink | undefined;
  #end: BodyEnd | undefined;
  #received = 0;
  /** We paused the body: the sink is backlogged, so the quiet is ours, not the client's. */
  #held = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #settle: { resolve: (end: BodyEnd) => void; reject: (err: unknown) => void } | undefined;

  constructor(body: Readable, options: PumpOptions) {
    this.#body = body;
    this.#options = options;
    this.#hash = options.digest ? createHash(options.digest.algorithm) : undefined;
  }

  run(sink: BodySink): Promise<BodyEnd> {
    const body = this.#body;
    this.#sink = sink;
    // Cut before anyone read it (while the request waited for the lock or the store): Node keeps what it
    // had parsed readable after the destroy; take that, then the cut.
    if (body.destroyed && !body.readableEnded)
      for (let chunk; !this.#end && (chunk = body.read() as Buffer | null) !== null;) this.#onData(chunk);
    this.#end ??= body.readableEnded ? 'end' : body.destroyed ? 'aborted' : undefined;
    return new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
      if (this.#end) return this.changed();
      const { idleTimeout } = this.#options;
      if (idleTimeout > 0 && idleTimeout < 2 ** 31) this.#timer = setTimeout(this.#idle, idleTimeout);
      body.on('data', this.#onData);
      body.on('aborted', this.#onAborted);
      body.on('end', this.#onEnd);
      body.on('close', this.#onClose);
      // 'close' follows any error; a listener that stays keeps a late reset from becoming an uncaught error.
      body.on('error', this.#onClose);
      body.resume();
    });
  }

  /** Holds or frees the body as the sink needs, and settles once all is over. */
  changed(): void {
    const sink = this.#sink;
    const settle = this.#settle;
    if (!sink || !settle) return;
    const failed = sink.failure !== undefined;
    if (!this.#end) this.#hold(sink.backlogged);
    if (!sink.idle || !(failed || (this.#end && !sink.backlogged))) return;
    this.#settle = undefined;
    this.#detach();
    if (failed) settle.reject(sink.failure);
    else settle.resolve(this.#verdict(this.#end!));
  }

  #hold(held: boolean): void {
    if (held === this.#held) return;
    this.#held = held;
    if (held) return void this.#body.pause();
    this.#body.resume();
    // The quiet until now was ours: the client gets a whole idleTimeout from here.
    this.#timer?.refresh();
  }

  #stop(why: BodyEnd): void {
    this.#end ??= why;
    if (why === 'overflow') this.#sink?.drop();
    this.changed();
  }

  #verdict(end: BodyEnd): BodyEnd {
    const { digest } = this.#options;
    return end === 'end' && this.#hash && !this.#hash.digest().equals(digest!.value) ? 'mismatch' : end;
  }

  readonly #idle = (): void => {
    if (this.#held) return void this.#timer?.refresh();
    this.#stop('stalled');
    this.#body.destroy();
  };

  readonly #onData = (chunk: Buffer): void => {
    if (this.#end) return;
    this.#timer?.refresh();
    this.#options.onActivity?.();
    if (chunk.length > this.#options.limit - this.#received) return this.#stop('overflow');
    this.#received += chunk.length;
    this.#hash?.update(chunk);
    this.#options.tap?.(chunk);
    this.#sink!.take(chunk);
    this.changed();
  };

  // Node drops a destroyed request's buffer: take what it parsed but had not handed over yet.
  // 'aborted' is emitted while that buffer is still readable; read() re-emits it as 'data'.
  readonly #onAborted = (): void => {
    while (this.#body.read() !== null);
  };

  readonly #onEnd = (): void => this.#stop('end');
  readonly #onClose = (): void => this.#stop('aborted');

  #detach(): void {
    clearTimeout(this.#timer);
    const body = this.#body;
    body.off('data', this.#onData);
    body.off('aborted', this.#onAborted);
    body.off('end', this.#onEnd);
    body.off('close', this.#onClose);
  }
}
