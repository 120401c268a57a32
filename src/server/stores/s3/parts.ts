// Parts sent at once, confirmed in order: part n counts only once parts 1..n have all returned, whatever order
// S3 answers them in, so an acknowledged offset never covers a byte S3 has not confirmed.

/** Sends one part's bytes (valid only until the promise settles: the buffer is reused after). */
export type SendPart<T> = (bytes: Buffer, index: number) => Promise<T>;

/**
 * Up to `concurrency` parts in flight, each in a buffer of its own from a pool that never holds more than
 * `concurrency` buffers of `partSize` (allocated on first use, so a small body allocates none). The caller
 * adds parts only while `full` is false; `onSettle` tells it when a slot frees up or a part failed.
 */
export class PartWriter<T> {
  /** The confirmed prefix, in order: results of parts 0..n-1, every one of which returned. */
  readonly confirmed: T[] = [];
  /** The first error of any part; once set, no part is started. */
  failure: unknown = undefined;
  readonly #send: SendPart<T>;
  readonly #concurrency: number;
  readonly #partSize: number;
  readonly #onConfirmed: (results: T[]) => void;
  /** A part settled, either way: a slot is free, or `failure` is set. */
  onSettle: () => void = () => undefined;
  readonly #free: Buffer[] = [];
  readonly #early = new Map<number, T>();
  #started = 0;
  #inFlight = 0;
  #allocated = 0;

  constructor(options: {
    send: SendPart<T>;
    concurrency: number;
    partSize: number;
    /** The confirmed prefix grew (called with all of it). */
    onConfirmed?: (results: T[]) => void;
  }) {
    this.#send = options.send;
    this.#concurrency = options.concurrency;
    this.#partSize = options.partSize;
    this.#onConfirmed = options.onConfirmed ?? (() => undefined);
  }

  /** No slot for another part: wait for onSettle. */
  get full(): boolean {
    return this.#inFlight >= this.#concurrency;
  }

  get idle(): boolean {
    return this.#inFlight === 0;
  }

  /** Parts started so far (the next part's index). */
  get started(): number {
    return this.#started;
  }

  /** Bytes of the pool's buffers (the most this writer ever holds is concurrency x partSize). */
  get pooledBytes(): number {
    return this.#allocated * this.#partSize;
  }

  /**
   * Copies `length` bytes from the front of `chunks` (which must hold that many) into a pooled buffer and
   * sends it; the chunks are left as they were, so the caller drops what it handed over.
   */
  add(chunks: readonly Buffer[], length: number): void {
    if (this.full || this.failure !== undefined) throw new Error('S3 store: no slot for a part');
    if (length > this.#partSize) throw new RangeError('S3 store: part larger than partSize');
    const buffer = this.#free.pop() ?? this.#allocate();
    let at = 0;
    for (const chunk of chunks) {
      if (at >= length) break;
      at += chunk.copy(buffer, at, 0, Math.min(chunk.length, length - at));
    }
    this.#start(buffer, buffer.subarray(0, length));
  }

  /** Sends bytes the caller owns (a final part larger than the pool's, say) through the same slots. */
  addOwned(bytes: Buffer): void {
    if (this.full || this.failure !== undefined) throw new Error('S3 store: no slot for a part');
    this.#start(undefined, bytes);
  }

  /** Lets the pool's buffers go (once idle: the body's last bytes need room too). */
  release(): void {
    this.#free.length = 0;
  }

  #allocate(): Buffer {
    this.#allocated++;
    return Buffer.allocUnsafeSlow(this.#partSize);
  }

  #start(pooled: Buffer | undefined, bytes: Buffer): void {
    const index = this.#started++;
    this.#inFlight++;
    // A send that throws at once settles like one that rejects.
    new Promise<T>((resolve) => resolve(this.#send(bytes, index))).then(
      (result) => {
        this.#early.set(index, result);
        let grew = false;
        while (this.#early.has(this.confirmed.length)) {
          const next = this.confirmed.length;
          this.confirmed.push(this.#early.get(next)!);
          this.#early.delete(next);
          grew = true;
        }
        this.#settled(pooled);
        // Parts before a failed one that return still count: they are the confirmed prefix.
        if (grew) this.#onConfirmed(this.confirmed);
        this.onSettle();
      },
      (err: unknown) => {
        this.failure ??= err;
        this.#settled(pooled);
        this.onSettle();
      },
    );
  }

  #settled(pooled: Buffer | undefined): void {
    this.#inFlight--;
    if (pooled) this.#free.push(pooled);
  }
}

/** Runs `jobs` with at most `concurrency` at once; rejects with the first error once none is running. */
export async function runLimited<T>(
  count: number,
  concurrency: number,
  job: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < count && !failure) {
      const index = next++;
      try {
        results[index] = await job(index);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failure) throw failure.err;
  return results;
}
