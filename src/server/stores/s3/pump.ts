// Reads a request body into parts of exactly partSize bytes, handing each to a PartWriter while the body
// keeps arriving, and pausing the body (TCP back-pressure) whenever every slot is busy and a full part waits.
import type { Readable } from 'node:stream';
import { BodyPump } from '../body.js';
import type { BodySink } from '../body.js';
import type { AppendOptions, BodyEnd } from '../types.js';
import type { PartWriter } from './parts.js';

/** How the body ended, and its bytes after the last part (never as many as partSize). */
export interface Pumped {
  end: BodyEnd;
  rest: Buffer[];
}

/**
 * Resolves once the body is over and every part it started has settled; rejects with a part's failure
 * (after the others settled, so nothing of this body is still being written). Memory: the parts in flight
 * (the writer's pool) plus at most one part's worth filling here.
 */
export async function pump<T>(
  req: Readable,
  staged: Buffer | undefined,
  partSize: number,
  options: AppendOptions,
  writer: PartWriter<T>,
): Promise<Pumped> {
  const body = new BodyPump(req, options);
  const parts = new PartCutter(staged, partSize, writer);
  writer.onSettle = () => {
    parts.cut();
    body.changed();
  };
  const end = await body.run(parts);
  return { end, rest: parts.chunks };
}

/** The S3 store's sink: cuts the body, after any staged bytes, into parts for free slots of the writer. */
class PartCutter<T> implements BodySink {
  /** Bytes not yet in a part (the staged ones first). */
  chunks: Buffer[];
  #buffered: number;
  readonly #partSize: number;
  readonly #writer: PartWriter<T>;

  constructor(staged: Buffer | undefined, partSize: number, writer: PartWriter<T>) {
    this.chunks = staged ? [staged] : [];
    this.#buffered = staged?.length ?? 0;
    this.#partSize = partSize;
    this.#writer = writer;
  }

  get failure(): unknown {
    return this.#writer.failure;
  }

  /** A full part waits for a slot (or a part failed): the body waits too. */
  get backlogged(): boolean {
    return this.failure !== undefined || this.#buffered >= this.#partSize;
  }

  get idle(): boolean {
    return this.#writer.idle;
  }

  take(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.#buffered += chunk.length;
    this.cut();
  }

  drop(): void {
    this.chunks = [];
    this.#buffered = 0;
  }

  /** Hands full parts to free slots; the first partSize bytes become a part, a chunk across it is split. */
  cut(): void {
    const size = this.#partSize;
    while (this.failure === undefined && this.#buffered >= size && !this.#writer.full) {
      this.#writer.add(this.chunks, size);
      let taken = 0;
      let i = 0;
      while (i < this.chunks.length && taken + this.chunks[i]!.length <= size)
        taken += this.chunks[i++]!.length;
      const rest = this.chunks.slice(i);
      if (taken < size) rest[0] = rest[0]!.subarray(size - taken);
      this.chunks = rest;
      this.#buffered -= size;
    }
  }
}
